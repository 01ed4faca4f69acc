using System;
using System.Linq;
using System.Net;
using SailSocket.Engine;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// The bounds on what <c>Set-Cookie</c> can make a connection keep, whatever the container's own capacities: 50 answers
/// per response, 4,096 characters each, 50 cookies per server (a replacement still goes in).
/// </summary>
public sealed class EngineCookieBoundsTests
{
    private static readonly Uri s_server = new("http://127.0.0.1:1337/socket.io/");

    private static CookieContainer Roomy() => new(100_000, 100_000, 1024 * 1024);

    [Fact]
    public void AnswersBeyondTheFiftiethOfAResponse_AreIgnored()
    {
        var jar = Roomy();
        EngineCookies.Store(jar, s_server, Enumerable.Range(0, 100_000).Select(i => $"c{i}=v; Path=/"));
        Assert.Equal(EngineCookies.MaxCookies, jar.Count);
        Assert.NotNull(jar.GetCookies(s_server)["c49"]);
        Assert.Null(jar.GetCookies(s_server)["c50"]);
    }

    [Theory]
    [InlineData(4096, true)]
    [InlineData(4097, false)]
    [InlineData(10 * 1024 * 1024, false)]
    public void ASetCookieLongerThanTheBound_IsIgnored(int length, bool kept)
    {
        var jar = Roomy();
        var setCookie = "big=" + new string('v', length - "big=; Path=/".Length) + "; Path=/";
        Assert.Equal(length, setCookie.Length);
        EngineCookies.Store(jar, s_server, [setCookie]);
        Assert.Equal(kept, jar.GetCookies(s_server)["big"] is not null);
    }

    [Fact]
    public void AFullContainer_TakesNoNewCookieButAReplacement()
    {
        var jar = Roomy();
        for (var batch = 0; batch < 10; batch++)
        {
            EngineCookies.Store(jar, s_server, Enumerable.Range(batch * 20, 20).Select(i => $"c{i}=v; Path=/"));
        }

        Assert.Equal(EngineCookies.MaxCookies, jar.Count);
        EngineCookies.Store(jar, s_server, ["c0=replaced; Path=/", "fresh=v; Path=/"]);
        Assert.Equal("replaced", jar.GetCookies(s_server)["c0"]?.Value);
        Assert.Null(jar.GetCookies(s_server)["fresh"]);
        Assert.Equal(EngineCookies.MaxCookies, jar.Count);
    }
}
