using System.Diagnostics;
using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Security;

/// <summary>
/// Hostile or broken handshakes (issue 14, point 5): a refusal that has no HTTP status reads as what it is, the
/// WebSocket refusal-reason probe is bounded by <c>WebSocketRefusal.Timeout</c> (2.5 s), and a connect never runs past
/// <see cref="SailsClientOptions.ConnectTimeout"/> whatever the server does. Each server is a scripted raw-HTTP
/// listener on loopback.
/// </summary>
public sealed class HostileHandshakeTests
{
    [Fact]
    public async Task A_revision_3_answer_to_a_revision_4_handshake_is_named_without_an_empty_status()
    {
        const string open = "0{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":60000}";
        var body = $"{open.Length}:{open}";
        await using var server = new RawHttpServer((_, stream, ct) => RawHttpServer.WriteHeadAsync(
            stream, $"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}", ct));

        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, Transports = EngineTransports.Polling, Revision = EngineRevisionSelection.V4, ConnectTimeout = TimeSpan.FromSeconds(10) });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(20))).Within(30);
        Assert.Null(error.HttpStatusCode);
        Assert.DoesNotContain("HTTP .", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("beforeConnect", error.Message, StringComparison.Ordinal);
        Assert.Contains("revision 3", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// <c>ClientWebSocket</c> hides a refused upgrade's body, so a second request (the probe) reads it, bounded by 2.5 s;
    /// the managed engine (the Sails client's default) reads the body from the refusal itself.
    /// </summary>
    [Theory]
    [InlineData(EngineWebSocketEngine.ClientWebSocket)]
    [InlineData(EngineWebSocketEngine.Managed)]
    public async Task A_websocket_refusal_is_reported_by_each_engine_the_probe_within_its_bound(EngineWebSocketEngine engine)
    {
        var requests = 0;
        await using var server = new RawHttpServer(async (_, stream, ct) =>
        {
            if (Interlocked.Increment(ref requests) == 1)
            {
                await RawHttpServer.WriteHeadAsync(stream, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad request", ct);
                return;
            }

            await Task.Delay(Timeout.Infinite, ct); // the probe: never answered
        });

        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, ConnectTimeout = TimeSpan.FromSeconds(20), WebSocketEngine = engine });
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(30))).Within(40);
        var elapsed = clock.Elapsed;
        Assert.Equal(400, error.HttpStatusCode);
        if (engine == EngineWebSocketEngine.ClientWebSocket)
        {
            Assert.Equal(2, Volatile.Read(ref requests));
            Assert.Contains("HTTP 400.", error.Message, StringComparison.Ordinal);

            // 2.5 s for the probe; a margin for 2 shared cores, well under the 5 s it used to take.
            Assert.InRange(elapsed, TimeSpan.FromSeconds(2.3), TimeSpan.FromSeconds(4.2));
        }
        else
        {
            Assert.Equal(1, Volatile.Read(ref requests));
            Assert.Contains("HTTP 400: Bad request", error.Message, StringComparison.Ordinal);
            Assert.Equal("Bad request", error.ServerMessage);
            Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2)); // no probe to wait for
        }
    }

    [Fact]
    public async Task A_hung_refusal_probe_ends_with_the_connect_timeout()
    {
        var requests = 0;
        await using var server = new RawHttpServer(async (_, stream, ct) =>
        {
            if (Interlocked.Increment(ref requests) == 1)
            {
                await Task.Delay(700, ct); // the refusal comes late: the probe has less than its 2.5 s left
                await RawHttpServer.WriteHeadAsync(stream, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct);
                return;
            }

            await Task.Delay(Timeout.Infinite, ct); // the probe: never answered
        });

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<EngineTimeoutException>(() => EngineConnection.ConnectAsync(
            new EngineOptions { Url = server.Url, Transports = EngineTransports.WebSocket, Revision = EngineRevisionSelection.V4, ConnectTimeout = TimeSpan.FromSeconds(1.5) }, Bound.Seconds(20))).Within(30);

        // The probe is cut by the connect bound: ConnectTimeout (1.5 s), not 0.7 + 2.5 s.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(2.5));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_slow_cookie_route_then_a_hung_handshake_stays_within_the_connect_timeout(bool reconnection)
    {
        await using var server = new RawHttpServer(async (request, stream, ct) =>
        {
            if (request.Path.StartsWith("/__getcookie", StringComparison.Ordinal))
            {
                await Task.Delay(1700, ct);
                await RawHttpServer.WriteHeadAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct);
                return;
            }

            await Task.Delay(Timeout.Infinite, ct); // the handshake: never answered
        });

        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = server.Url,
            UseCorsRouteToGetCookie = true,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            Reconnection = new SailsReconnectionOptions { Enabled = reconnection, Delay = TimeSpan.FromMilliseconds(100), DelayMax = TimeSpan.FromMilliseconds(200) },
        });
        await using var socket = client.CreateSocket();
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<SailsTimeoutException>(() => socket.ConnectAsync(Bound.Seconds(30))).Within(40);

        // ConnectTimeout (2 s) for the whole attempt, cookie route included; it used to be 1.7 s + 2 s.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(3.0));
    }
}
