using System.Net;
using System.Net.Http;
using System.Text.Json;
using SailSocket.Engine;
using SailSocket.IntegrationTests.Transports;
using SailSocket.SocketIo;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Security;

/// <summary>A Sails server that sets engine.io's <c>io</c> cookie and refuses polls and upgrades without it (STICKY_COOKIE=1).</summary>
public sealed class StickySailsServer : IAsyncLifetime
{
    public SailsServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SailsServer.StartAsync(new Dictionary<string, string> { ["STICKY_COOKIE"] = "1" }).Within(150);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>How many requests of an established session the server refused for want of the cookie, so far.</summary>
    public async Task<int> RefusalsAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var json = await http.GetStringAsync(new Uri(Server.Url, "/sticky-refusals"), Bound.Seconds(10));
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("refusals").GetInt32();
    }
}

/// <summary>
/// Sticky sessions: the cookie a server (or its load balancer) sets on the polling handshake goes with every
/// poll, every POST and the WebSocket upgrade; the server here refuses any of them that comes without it, so these tests
/// fail if the cookie is dropped anywhere on the way.
/// </summary>
public sealed class StickyCookieTests(StickySailsServer sticky) : IClassFixture<StickySailsServer>
{
    [Fact]
    public async Task Without_a_cookie_store_the_sticky_server_refuses_the_session()
    {
        // The control: the server's check bites when the cookie is not carried, as with the shared handler before
        // there was a cookie store (UseCookies off, no container).
        var before = await sticky.RefusalsAsync();
        using var handler = new SocketsHttpHandler { UseCookies = false };
        using var invoker = new HttpMessageInvoker(handler);
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(EngineTransports.Polling, cookies: null, invoker));
        Assert.True(await sticky.RefusalsAsync() > before);
    }

    [Fact]
    public async Task Polling_then_upgrade_carries_the_sticky_cookie_to_the_WebSocket()
    {
        var before = await sticky.RefusalsAsync();
        var cookies = new CookieContainer();
        await using var client = await ConnectAsync(EngineTransports.PollingThenUpgrade, cookies);

        await client.Engine.UpgradeTask.Within(15);
        Assert.Null(client.Engine.UpgradeError);
        Assert.Equal("websocket", client.Engine.Transport);
        Assert.Equal(client.Engine.Handshake.SessionId, cookies.GetCookies(sticky.Server.Url)["io"]?.Value);
        Assert.Equal("node-a", cookies.GetCookies(sticky.Server.Url)["lb"]?.Value);
        Assert.Equal(200, await SailsEcho.StatusAsync(client));
        Assert.Equal(before, await sticky.RefusalsAsync());
    }

    [Fact]
    public async Task Polling_only_sends_the_cookie_with_every_poll_and_post()
    {
        var before = await sticky.RefusalsAsync();
        await using var client = await ConnectAsync(EngineTransports.Polling, new CookieContainer());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, await SailsEcho.StatusAsync(client));
        }

        Assert.Equal("polling", client.Engine.Transport);
        Assert.Equal(before, await sticky.RefusalsAsync());
    }

    [Theory]
    [InlineData(EngineTransports.PollingThenUpgrade)]
    [InlineData(EngineTransports.Polling)]
    [InlineData(EngineTransports.WebSocket)]
    public async Task A_SailsClient_keeps_the_sticky_cookie_in_its_shared_store(EngineTransports transports)
    {
        var before = await sticky.RefusalsAsync();
        await using var sails = new SailsClient(new SailsClientOptions { Url = sticky.Server.Url, Transports = transports, ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var socket = await sails.ConnectAsync(Bound.Seconds(15));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
        }

        // Over polling each answer came on a poll sent after the previous one: those polls carried the cookie. An upgrade
        // runs in the background: wait until the server has the socket on its final transport, so that it was checked too.
        var final = transports == EngineTransports.Polling ? "polling" : "websocket";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await socket.GetAsync("/transport", Bound.Seconds(10))).ReadBodyAsElement().GetProperty("transport").GetString() != final)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The socket did not reach {final} within 15 s.");
            await Task.Delay(20);
        }

        // The balancer's cookie comes with every handshake; engine.io's own only with a polling one.
        var stored = sails.Cookies.GetCookies(sticky.Server.Url);
        Assert.Equal("node-a", stored["lb"]?.Value);
        Assert.Equal(transports != EngineTransports.WebSocket, stored["io"] is not null);
        Assert.Equal(before, await sticky.RefusalsAsync());
    }

    private async Task<SocketIoClient> ConnectAsync(EngineTransports transports, CookieContainer? cookies, HttpMessageInvoker? invoker = null) =>
        await SocketIoClient.ConnectAsync(
            new SocketIoOptions
            {
                Engine = new EngineOptions
                {
                    Url = sticky.Server.Url,
                    Query = SailsSdkQuery.Pairs,
                    Transports = transports,
                    Cookies = cookies,
                    HttpInvoker = invoker,
                    ConnectTimeout = TimeSpan.FromSeconds(10),
                    PollingRequestTimeout = TimeSpan.FromSeconds(10),
                },
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            Bound.Seconds(15));
}
