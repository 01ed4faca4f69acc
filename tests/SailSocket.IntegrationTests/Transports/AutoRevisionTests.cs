using System.Net.Http;
using System.Text;
using System.Text.Json;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.IntegrationTests.SocketIo;
using SailSocket.SocketIo;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>
/// <see cref="EngineRevisionSelection.Auto"/> against real servers: a socket.io 2.5.1 server (tests/socketio2-app) that
/// only speaks Engine.IO 3, and the socket.io 4.x fixture with <c>allowEIO3</c> off. Each test lifts servers of its own,
/// because Auto remembers its answer per server for the whole process and the tests count the handshakes each server saw
/// (GET /stats on both fixtures).
/// </summary>
public sealed class AutoRevisionTests
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Theory]
    [InlineData(EngineTransports.Polling)]
    [InlineData(EngineTransports.PollingThenUpgrade)]
    public async Task Auto_against_socketio2_falls_back_to_3_and_remembers_it(EngineTransports transports)
    {
        await using var server = await NodeAppServer.StartSocketIo2Async(null, Bound.Seconds(120));

        await using (var first = await ConnectAsync(server.Url, transports, EngineRevisionSelection.Auto))
        {
            Assert.Equal(EngineRevision.V3, first.Engine.Revision);
            Assert.Equal(4, first.ProtocolRevision);
            Assert.Equal(first.EngineHandshake.SessionId, first.Id);
            Assert.Equal("""[{"n":1},"two"]""", await EchoAsync(first));
            var info = await WhoAmIAsync(first);
            Assert.Equal(first.EngineHandshake.SessionId, info.GetProperty("engineId").GetString());
        }

        // engine.io 3 ignores EIO: the first handshake asked for 4 and was answered in revision 3 framing.
        var afterFirst = await HandshakesAsync(server);
        Assert.Equal(1, afterFirst.GetValueOrDefault("4"));

        await using (var second = await ConnectAsync(server.Url, transports, EngineRevisionSelection.Auto))
        {
            Assert.Equal(EngineRevision.V3, second.Engine.Revision);
            Assert.Equal("""[{"n":1},"two"]""", await EchoAsync(second));
        }

        // Remembered: the second connect asked for 3 at once.
        var afterSecond = await HandshakesAsync(server);
        Assert.Equal(1, afterSecond.GetValueOrDefault("4"));
        Assert.Equal(afterFirst.GetValueOrDefault("3") + 1, afterSecond.GetValueOrDefault("3"));
    }

    [Theory]
    [InlineData(EngineTransports.WebSocket)]
    [InlineData(EngineTransports.Polling)]
    public async Task Auto_against_socketio4_without_eio3_stays_on_4(EngineTransports transports)
    {
        await using var server = await SocketIoFixtureServer.StartAsync(new Dictionary<string, string> { ["ALLOW_EIO3"] = "0" });

        for (var i = 0; i < 2; i++)
        {
            await using var client = await ConnectAsync(server.Url, transports, EngineRevisionSelection.Auto);
            Assert.Equal(EngineRevision.V4, client.Engine.Revision);
            Assert.Equal(5, client.ProtocolRevision);
            Assert.Equal("""[{"n":1},"two"]""", await EchoAsync(client));
        }

        var handshakes = await HandshakesAsync(server);
        Assert.Equal(2, handshakes.GetValueOrDefault("4"));
        Assert.Equal(0, handshakes.GetValueOrDefault("3"));
    }

    [Fact]
    public async Task V3_against_socketio4_without_eio3_is_refused_with_the_status_and_body()
    {
        await using var server = await SocketIoFixtureServer.StartAsync(new Dictionary<string, string> { ["ALLOW_EIO3"] = "0" });

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => ConnectAsync(server.Url, EngineTransports.Polling, EngineRevisionSelection.V3));

        Assert.Equal(EngineConnectionError.HandshakeRefused, ex.Error);
        Assert.Equal(400, ex.HttpStatusCode);
        Assert.Contains("Unsupported protocol version", ex.HttpResponseBody, StringComparison.Ordinal);
    }

    /// <summary>
    /// socket.io 2.x (engine.io 3.6) never checks <c>EIO</c>, so it refuses nothing: over polling it answers a revision 4
    /// handshake in revision 3 framing. <see cref="EngineRevisionSelection.V4"/> means revision 4 only, so the client
    /// refuses that answer with a clear reason instead of silently speaking revision 3.
    /// </summary>
    [Theory]
    [InlineData(EngineTransports.Polling)]
    [InlineData(EngineTransports.PollingThenUpgrade)]
    public async Task V4_over_polling_against_socketio2_is_refused_as_a_revision_3_only_server(EngineTransports transports)
    {
        await using var server = await NodeAppServer.StartSocketIo2Async(null, Bound.Seconds(120));

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => ConnectAsync(server.Url, transports, EngineRevisionSelection.V4));

        Assert.Equal(EngineConnectionError.HandshakeRefused, ex.Error);
        Assert.Contains("revision 3 only", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await HandshakesAsync(server)).GetValueOrDefault("4"));
    }

    /// <summary>
    /// Observed: over a WebSocket a revision-3-only server sends the same open packet for both revisions, so revision 4
    /// cannot be told apart at connect (as <see cref="EngineRevisionSelection.Auto"/> documents). The session works until
    /// the first heartbeat: the server waits for the client's pings (EIO3) and the client for the server's (EIO4), and one
    /// of them gives up after pingInterval + pingTimeout.
    /// </summary>
    [Fact]
    public async Task V4_over_websocket_against_socketio2_connects_then_dies_at_the_first_heartbeat()
    {
        await using var server = await NodeAppServer.StartSocketIo2Async(new Dictionary<string, string> { ["PING_INTERVAL"] = "2000", ["PING_TIMEOUT"] = "2000" }, Bound.Seconds(120));
        var dropped = new TaskCompletionSource<SocketIoDisconnectedException>(TaskCreationOptions.RunContinuationsAsynchronously);

        await using var client = await ConnectAsync(server.Url, EngineTransports.WebSocket, EngineRevisionSelection.V4, ex => dropped.TrySetResult(ex));

        Assert.Equal(EngineRevision.V4, client.Engine.Revision);
        Assert.Equal("""[{"n":1},"two"]""", await EchoAsync(client));
        var reason = await dropped.Task.Within(15);
        // Both ends wait for pings the other never sends and give up after the same pingInterval + pingTimeout: whichever
        // notices first ends it.
        Assert.Contains(reason.Reason, new[] { SocketIoDisconnectReason.TransportClose, SocketIoDisconnectReason.PingTimeout });
        Assert.Contains(Assert.IsType<EngineConnectionException>(reason.InnerException).Error, new[] { EngineConnectionError.ClosedByServer, EngineConnectionError.PingTimeout });
    }

    private static async Task<SocketIoClient> ConnectAsync(Uri url, EngineTransports transports, EngineRevisionSelection revision, Action<SocketIoDisconnectedException>? onDisconnected = null)
    {
        var client = await SocketIoClient.ConnectAsync(
            new SocketIoOptions
            {
                Engine = new EngineOptions { Url = url, Transports = transports, Revision = revision, ConnectTimeout = TimeSpan.FromSeconds(15), UpgradeTimeout = TimeSpan.FromSeconds(5) },
                ConnectTimeout = TimeSpan.FromSeconds(15),
                OnDisconnected = onDisconnected,
            },
            Bound.Seconds(20));
        if (transports == EngineTransports.PollingThenUpgrade)
        {
            await client.Engine.UpgradeTask.Within(10);
            Assert.Equal("websocket", client.Engine.Transport);
        }

        return client;
    }

    private static async Task<string> EchoAsync(SocketIoClient client)
    {
        var ack = await client.EmitWithAckAsync("echo", 0, static (writer, _) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("n", 1);
            writer.WriteEndObject();
            writer.WriteStringValue("two");
        }, null, TimeSpan.FromSeconds(15), Bound.Seconds(20));
        return Encoding.UTF8.GetString(ack.Arguments.Span);
    }

    private static async Task<JsonElement> WhoAmIAsync(SocketIoClient client)
    {
        var ack = await client.EmitWithAckAsync("whoami", 0, static (_, _) => { }, null, TimeSpan.FromSeconds(15), Bound.Seconds(20));
        using var json = JsonDocument.Parse(ack.Arguments);
        return json.RootElement[0].Clone();
    }

    /// <summary>The Engine.IO handshakes the server saw, by the revision the client asked for.</summary>
    private static async Task<Dictionary<string, int>> HandshakesAsync(NodeAppServer server)
    {
        var body = await s_http.GetStringAsync(new Uri(server.Url, "/stats"), Bound.Seconds(10));
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("handshakes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
    }
}
