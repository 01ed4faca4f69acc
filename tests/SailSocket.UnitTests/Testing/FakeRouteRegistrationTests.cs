using System;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Testing;
using Xunit;

namespace SailSocket.UnitTests.Testing;

/// <summary>A malformed route fails where it is registered (issue 15: "at registration, not at the first request").</summary>
public sealed class FakeRouteRegistrationTests
{
    private static FakeResponse Ok(FakeRequest request) => FakeResponse.Status(200);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("user")]
    [InlineData("/user//pets")]
    [InlineData("/user?x=1")]
    [InlineData("/user#top")]
    [InlineData("/user/*")]
    [InlineData("/user/ id")]
    [InlineData("/user/:")]
    [InlineData("/user/:id-x")]
    [InlineData("/user/:id/pets/:id")]
    public async Task MalformedPath_ThrowsArgumentException_NamingThePath(string? path)
    {
        await using var server = new FakeSailsServer();
        var ex = Assert.Throws<ArgumentException>(() => server.Get(path!, Ok));
        Assert.Equal("path", ex.ParamName);
    }

    [Theory]
    [InlineData("FETCH")]
    [InlineData("")]
    [InlineData(null)]
    public async Task UnknownMethod_ThrowsArgumentException_NamingTheMethod(string? method)
    {
        await using var server = new FakeSailsServer();
        var ex = Assert.Throws<ArgumentException>(() => server.Map(method!, "/user", Ok));
        Assert.Equal("method", ex.ParamName);
    }

    [Fact]
    public async Task NullHandler_ThrowsArgumentNullException_NamingTheHandler()
    {
        await using var server = new FakeSailsServer();
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => server.Get("/user", null!)).ParamName);
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(
            () => server.Map("GET", "/user", (Func<FakeRequest, CancellationToken, ValueTask<FakeResponse>>)null!)).ParamName);
    }

    [Theory]
    [InlineData("/user/:id", "/user/:name")]
    [InlineData("/user/", "/USER")]
    [InlineData("/", "/")]
    public async Task SecondRouteOfTheSameShape_IsRefused_AsItCouldNeverAnswer(string first, string second)
    {
        await using var server = new FakeSailsServer();
        server.Get(first, Ok);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => server.Get(second, Ok)).ParamName);

        // Another method or another shape is a different route.
        server.Post(second, Ok);
        server.Get(second + (second.EndsWith('/') ? "x" : "/x"), Ok);
    }

    [Fact]
    public void Options_AreCheckedAtConstruction()
    {
        Assert.Equal("MaxRecordedRequests", Assert.Throws<ArgumentOutOfRangeException>(() => new FakeSailsServer(new FakeSailsServerOptions { MaxRecordedRequests = 0 })).ParamName);
        Assert.Equal("PingInterval", Assert.Throws<ArgumentOutOfRangeException>(() => new FakeSailsServer(new FakeSailsServerOptions { PingInterval = TimeSpan.Zero })).ParamName);
        Assert.Equal("Path", Assert.Throws<ArgumentException>(() => new FakeSailsServer(new FakeSailsServerOptions { Path = "socket.io" })).ParamName);
    }

    [Fact]
    public void Responses_CheckTheirInput()
    {
        Assert.Equal("json", Assert.Throws<ArgumentException>(() => FakeResponse.Json("{\"a\":")).ParamName);
        Assert.Equal("json", Assert.Throws<ArgumentException>(() => FakeResponse.Json("1 2")).ParamName);
        Assert.Equal("statusCode", Assert.Throws<ArgumentOutOfRangeException>(() => FakeResponse.Status(99)).ParamName);
        Assert.Equal("statusCode", Assert.Throws<ArgumentOutOfRangeException>(() => FakeResponse.Text("x", 600)).ParamName);
        Assert.Equal("delay", Assert.Throws<ArgumentOutOfRangeException>(() => FakeResponse.Status(200).WithDelay(TimeSpan.FromSeconds(-1))).ParamName);
    }
}
