using System.Net;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Security;

/// <summary>A second Sails server, on another port of 127.0.0.1.</summary>
public sealed class SecondSailsServer : IAsyncLifetime
{
    public SailsServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SailsServer.StartAsync().Within(150);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Cookies stay with their host: a cookie server A (127.0.0.1:portA) set is never sent to <c>localhost</c>,
/// even on the same machine; on another port of the same host it is, as RFC 6265 §8.5 and every browser have it.
/// </summary>
public sealed class CookieIsolationTests(SecondSailsServer second) : IClassFixture<SecondSailsServer>
{
    [Fact]
    public async Task A_cookie_of_server_A_goes_to_its_host_only()
    {
        var serverA = await SharedSailsServer.GetAsync().Within(150);
        var serverB = second.Server;
        Assert.NotEqual(serverA.Port, serverB.Port);

        // Server A sets sails.sid through the cookie route; the client's store keeps it for host 127.0.0.1.
        await using var sails = new SailsClient(new SailsClientOptions { Url = serverA.Url, UseCorsRouteToGetCookie = true, ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var a = await sails.ConnectAsync(Bound.Seconds(15));
        var sid = sails.Cookies.GetCookies(serverA.Url)["sails.sid"]?.Value;
        Assert.NotNull(sid);
        Assert.Contains(sid, await CookieSeenAsync(a), StringComparison.Ordinal);

        // Server B under another host name: nothing of A's travels, over the WebSocket or long-polling.
        await using var other = new SailsClient(new SailsClientOptions { ConnectTimeout = TimeSpan.FromSeconds(10) });
        var localhost = new Uri($"http://localhost:{serverB.Port}");
        foreach (var transports in new[] { SailSocket.Engine.EngineTransports.WebSocket, SailSocket.Engine.EngineTransports.Polling })
        {
            await using var byTransport = new SailsClient(new SailsClientOptions { ConnectTimeout = TimeSpan.FromSeconds(10), Transports = transports });
            await using var b = await byTransport.ConnectAsync(new SailsSocketOptions { Url = localhost, Cookies = sails.Cookies }, Bound.Seconds(15));
            Assert.DoesNotContain(sid, await CookieSeenAsync(b) ?? string.Empty, StringComparison.Ordinal);
        }

        // Server B on the same host, another port: RFC 6265 does not isolate ports, so A's cookie is sent (documented).
        await using var samePort = await other.ConnectAsync(new SailsSocketOptions { Url = serverB.Url, Cookies = sails.Cookies }, Bound.Seconds(15));
        Assert.Contains(sid, await CookieSeenAsync(samePort), StringComparison.Ordinal);

        // A store of its own keeps a socket out of that.
        await using var isolated = await other.ConnectAsync(new SailsSocketOptions { Url = serverB.Url, Cookies = new CookieContainer() }, Bound.Seconds(15));
        Assert.DoesNotContain(sid, await CookieSeenAsync(isolated) ?? string.Empty, StringComparison.Ordinal);
    }

    /// <summary>The Cookie header the server saw on the socket's handshake (Sails copies it into every socket request).</summary>
    private static async Task<string?> CookieSeenAsync(SailsSocket socket)
    {
        var response = await socket.GetAsync("/echo", Bound.Seconds(10));
        Assert.Equal(200, response.StatusCode);
        return response.ReadBody(TestJson.Default.EchoReply)!.Headers.Cookie;
    }
}
