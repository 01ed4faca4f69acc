using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Connection;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>Option checks at construction, and how a socket's options are laid over the client's.</summary>
public sealed class SailsOptionsTests
{
    private static readonly Uri s_url = new("http://localhost:1337");

    [Fact]
    public void ReconnectionOptions_Defaults_AreSailsIoJs()
    {
        var options = new SailsReconnectionOptions();

        Assert.False(options.Enabled);
        Assert.Equal(int.MaxValue, options.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Delay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DelayMax);
        Assert.Equal(0.5, options.RandomizationFactor);
        options.Validate();
    }

    [Fact]
    public void ReconnectionOptions_Boundaries_Accepted()
    {
        new SailsReconnectionOptions { Attempts = 1, Delay = TimeSpan.Zero, DelayMax = TimeSpan.Zero, RandomizationFactor = 0 }.Validate();
        new SailsReconnectionOptions { Delay = TimeSpan.FromSeconds(3), DelayMax = TimeSpan.FromSeconds(3), RandomizationFactor = 1 }.Validate();
    }

    public static TheoryData<string, SailsReconnectionOptions> InvalidReconnectionOptions => new()
    {
        { "Attempts", new SailsReconnectionOptions { Attempts = 0 } },
        { "Attempts", new SailsReconnectionOptions { Attempts = -1 } },
        { "Delay", new SailsReconnectionOptions { Delay = TimeSpan.FromMilliseconds(-1) } },
        { "DelayMax", new SailsReconnectionOptions { Delay = TimeSpan.FromSeconds(10), DelayMax = TimeSpan.FromSeconds(5) } },
        { "DelayMax", new SailsReconnectionOptions { DelayMax = Timeout.InfiniteTimeSpan } },
        { "RandomizationFactor", new SailsReconnectionOptions { RandomizationFactor = -0.01 } },
        { "RandomizationFactor", new SailsReconnectionOptions { RandomizationFactor = 1.01 } },
        { "RandomizationFactor", new SailsReconnectionOptions { RandomizationFactor = double.NaN } },
        { "RandomizationFactor", new SailsReconnectionOptions { RandomizationFactor = double.PositiveInfinity } },
    };

    [Theory]
    [MemberData(nameof(InvalidReconnectionOptions))]
    public void ReconnectionOptions_OutOfRange_ThrowsNamingTheOption(string name, SailsReconnectionOptions options)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(name, ex.ParamName);
    }

    [Fact]
    public void ClientOptions_Defaults_Valid()
    {
        var options = new SailsClientOptions();

        options.Validate();
        Assert.Null(options.Url);
        Assert.Equal("/socket.io/", options.Path);
        Assert.Equal(TimeSpan.FromSeconds(20), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestTimeout);
        Assert.True(options.AutoConnect);
        Assert.False(options.Reconnection.Enabled);
        Assert.Equal(10_000, options.MaxPendingEvents);
        Assert.Equal(64L * 1024 * 1024, options.MaxPendingEventBytes);
        Assert.Equal(1_000, options.MaxListenersPerEvent);
        Assert.Equal(SailSocket.Engine.EngineWebSocketEngine.Managed, options.WebSocketEngine);
        Assert.Equal(SailSocket.Engine.EngineWebSocketEngine.ClientWebSocket, new SailSocket.Engine.EngineOptions { Url = new Uri("http://127.0.0.1:1") }.WebSocketEngine);
    }

    [Theory]
    [InlineData("http://localhost:1337")]
    [InlineData("https://example.com/")]
    [InlineData("ws://127.0.0.1:1337")]
    [InlineData("wss://example.com:443/app")]
    public void ClientOptions_AbsoluteHttpOrWsUrl_Valid(string url)
    {
        new SailsClientOptions { Url = new Uri(url) }.Validate();
    }

    [Fact]
    public void ClientOptions_InfiniteRequestTimeout_Valid()
    {
        new SailsClientOptions { RequestTimeout = Timeout.InfiniteTimeSpan }.Validate();
    }

    public static TheoryData<string, SailsClientOptions> InvalidClientOptions => new()
    {
        { "Url", new SailsClientOptions { Url = new Uri("ftp://example.com") } },
        { "Url", new SailsClientOptions { Url = new Uri("file:///tmp/x") } },
        { "Url", new SailsClientOptions { Url = new Uri("/relative", UriKind.Relative) } },
        { "Path", new SailsClientOptions { Path = "" } },
        { "Path", new SailsClientOptions { Path = "socket.io/" } },
        { "ConnectTimeout", new SailsClientOptions { ConnectTimeout = TimeSpan.Zero } },
        { "ConnectTimeout", new SailsClientOptions { ConnectTimeout = Timeout.InfiniteTimeSpan } },
        { "RequestTimeout", new SailsClientOptions { RequestTimeout = TimeSpan.Zero } },
        { "RequestTimeout", new SailsClientOptions { RequestTimeout = TimeSpan.FromSeconds(-5) } },
        { "MaxMessageSize", new SailsClientOptions { MaxMessageSize = 1023 } },
        { "TimerResolution", new SailsClientOptions { TimerResolution = TimeSpan.Zero } },
        { "MaxQueuedRequests", new SailsClientOptions { MaxQueuedRequests = -1 } },
        { "MaxPendingRequests", new SailsClientOptions { MaxPendingRequests = 0 } },
        { "MaxPendingEvents", new SailsClientOptions { MaxPendingEvents = 0 } },
        { "MaxPendingEventBytes", new SailsClientOptions { MaxPendingEventBytes = 1023 } },
        { "MaxListenersPerEvent", new SailsClientOptions { MaxListenersPerEvent = 0 } },
        { "Attempts", new SailsClientOptions { Reconnection = new SailsReconnectionOptions { Attempts = 0 } } },
        { "Reconnection", new SailsClientOptions { Reconnection = null! } },
        { "TimeProvider", new SailsClientOptions { TimeProvider = null! } },
        { "BufferPool", new SailsClientOptions { BufferPool = null! } },
        { "Query", new SailsClientOptions { Query = null! } },
        { "Headers", new SailsClientOptions { Headers = null! } },
        { "InitialConnectionHeaders", new SailsClientOptions { InitialConnectionHeaders = null! } },
        { "value", new SailsClientOptions { Headers = new Dictionary<string, string> { ["x-a"] = "1\r\n2" } } },
        { "name", new SailsClientOptions { Headers = new Dictionary<string, string> { ["x a"] = "1" } } },
        { "value", new SailsClientOptions { InitialConnectionHeaders = [new("Cookie", "a\nb")] } },
        { "url", new SailsClientOptions { GetCookieRoute = "__getcookie" } },
    };

    [Theory]
    [MemberData(nameof(InvalidClientOptions))]
    public void ClientOptions_Invalid_ThrowsArgumentExceptionNamingIt(string name, SailsClientOptions options)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(options.Validate);

        Assert.Equal(name, ex.ParamName);
    }

    [Fact]
    public void Resolve_NoSocketOptions_TakesEveryClientValue()
    {
        var query = new List<KeyValuePair<string, string>> { new("tenant", "a") };
        var initial = new List<KeyValuePair<string, string>> { new("Origin", "http://good.example") };
        Func<SailsHandshake, CancellationToken, ValueTask> configure = (_, _) => ValueTask.CompletedTask;
        var client = new SailsClientOptions
        {
            Url = s_url,
            Query = query,
            InitialConnectionHeaders = initial,
            Headers = new Dictionary<string, string> { ["X-Global"] = "G" },
            NoSession = true,
            ConfigureHandshake = configure,
        };

        foreach (var identity in new[] { SocketIdentity.Resolve(client, null, "url"), SocketIdentity.Resolve(client, new SailsSocketOptions(), "options") })
        {
            Assert.Equal(s_url, identity.Url);
            Assert.Same(query, identity.Query);
            Assert.Same(initial, identity.InitialConnectionHeaders);
            Assert.Equal("G", identity.Headers["x-global"]);
            Assert.True(identity.NoSession);
            Assert.Null(identity.Cookies);
            Assert.Same(configure, identity.ConfigureHandshake);
        }
    }

    [Fact]
    public void Resolve_SocketOptions_WinOverTheClient_AndHeadersMerge()
    {
        var query = new List<KeyValuePair<string, string>> { new("tenant", "b") };
        var initial = new List<KeyValuePair<string, string>> { new("Cookie", "sails.sid=s%3Ab") };
        var cookies = new System.Net.CookieContainer();
        Func<SailsHandshake, CancellationToken, ValueTask> configure = (_, _) => ValueTask.CompletedTask;
        var client = new SailsClientOptions
        {
            Url = s_url,
            Query = [new("tenant", "a")],
            InitialConnectionHeaders = [new("Cookie", "sails.sid=s%3Aa")],
            Headers = new Dictionary<string, string> { ["x-global"] = "G", ["x-shared"] = "client" },
            NoSession = true,
            ConfigureHandshake = (_, _) => ValueTask.CompletedTask,
        };
        var socket = new SailsSocketOptions
        {
            Url = new Uri("wss://other.example:8443"),
            Query = query,
            InitialConnectionHeaders = initial,
            Headers = new Dictionary<string, string> { ["X-Socket"] = "S", ["X-Shared"] = "socket" },
            NoSession = false,
            Cookies = cookies,
            ConfigureHandshake = configure,
        };

        var identity = SocketIdentity.Resolve(client, socket, "options");

        Assert.Equal(new Uri("wss://other.example:8443"), identity.Url);
        Assert.Same(query, identity.Query);
        Assert.Same(initial, identity.InitialConnectionHeaders);

        // A socket's Headers add to the client's; a name set on both takes the socket's value.
        Assert.Equal(3, identity.Headers.Count);
        Assert.Equal("G", identity.Headers["x-global"]);
        Assert.Equal("S", identity.Headers["x-socket"]);
        Assert.Equal("socket", identity.Headers["x-shared"]);
        Assert.False(identity.NoSession);
        Assert.Same(cookies, identity.Cookies);
        Assert.Same(configure, identity.ConfigureHandshake);
    }

    [Fact]
    public void Resolve_DefaultHeaders_CopiedIntoACaseInsensitiveDictionary()
    {
        // An ordinal dictionary from the caller: the copy is case-insensitive, and later changes to the source do not leak in.
        var source = new Dictionary<string, string>(StringComparer.Ordinal) { ["X-Api-Version"] = "2" };
        var client = new SailsClientOptions { Url = s_url, Headers = source };

        var identity = SocketIdentity.Resolve(client, null, "url");
        source["x-later"] = "L";

        Assert.NotSame(source, identity.Headers);
        Assert.Same(StringComparer.OrdinalIgnoreCase, identity.Headers.Comparer);
        Assert.Equal("2", identity.Headers["x-api-version"]);
        Assert.Equal("2", identity.Headers["X-API-VERSION"]);
        Assert.False(identity.Headers.ContainsKey("x-later"));
    }

    [Fact]
    public void Resolve_NoUrlAnywhere_ThrowsArgumentExceptionNamingTheCallersParameter()
    {
        var ex = Assert.Throws<ArgumentException>(() => SocketIdentity.Resolve(new SailsClientOptions(), new SailsSocketOptions(), "options"));

        Assert.Contains("URL", ex.Message, StringComparison.Ordinal);
        Assert.Equal("options", ex.ParamName);
    }

    [Fact]
    public async Task ConnectAsync_NoUrlAnywhere_NamesAParameterOfConnectAsync()
    {
        await using var client = new SailsClient();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.ConnectAsync());

        Assert.Equal("url", ex.ParamName);
    }

    [Fact]
    public void Resolve_UrlOnlyOnTheSocket_Accepted()
    {
        var identity = SocketIdentity.Resolve(new SailsClientOptions(), new SailsSocketOptions { Url = s_url }, "options");

        Assert.Equal(s_url, identity.Url);
    }

    [Theory]
    [InlineData("ftp://example.com/")]
    [InlineData("file:///tmp/socket")]
    [InlineData("mailto:a@b.c")]
    public void Resolve_NonHttpUrl_ThrowsArgumentException(string url)
    {
        Assert.Throws<ArgumentException>(() => SocketIdentity.Resolve(new SailsClientOptions(), new SailsSocketOptions { Url = new Uri(url) }, "options"));
    }

    [Fact]
    public void Resolve_RelativeUrl_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => SocketIdentity.Resolve(new SailsClientOptions { Url = s_url }, new SailsSocketOptions { Url = new Uri("/socket", UriKind.Relative) }, "options"));
    }

    [Fact]
    public void Resolve_InvalidSocketHeaders_Refused()
    {
        var url = new SailsClientOptions { Url = s_url };

        Assert.Throws<ArgumentException>(() => SocketIdentity.Resolve(url, new SailsSocketOptions { Headers = new Dictionary<string, string> { ["x-a"] = "1\n2" } }, "options"));
        Assert.Throws<ArgumentException>(() => SocketIdentity.Resolve(url, new SailsSocketOptions { InitialConnectionHeaders = [new("Cookie", "a\rb")] }, "options"));
        Assert.Throws<ArgumentException>(() => SocketIdentity.Resolve(url, new SailsSocketOptions { Headers = new Dictionary<string, string> { ["bad name"] = "1" } }, "options"));
    }
}
