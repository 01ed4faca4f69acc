using SailSocket.Engine;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Reliability;

/// <summary>
/// Fault injection: a proxy that silently stops forwarding (both TCP connections stay open, nothing moves) is
/// detected by the heartbeat (how soon is tested on a fake clock), over WebSocket and long-polling, against a server with
/// 1 s / 1 s pings.
/// </summary>
public sealed class ProxyStallTests
{
    private static readonly Lazy<Task<SailsServer>> s_server = new(async () =>
    {
        var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["PING_INTERVAL"] = "1000", ["PING_TIMEOUT"] = "1000" });
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
        return server;
    });

    [Theory]
    [InlineData(EngineTransports.WebSocket, EngineWebSocketEngine.ClientWebSocket)]
    [InlineData(EngineTransports.WebSocket, EngineWebSocketEngine.Managed)]
    [InlineData(EngineTransports.Polling, EngineWebSocketEngine.ClientWebSocket)]
    public async Task A_silent_stall_is_detected_by_the_heartbeat_and_the_socket_comes_back(EngineTransports transport, EngineWebSocketEngine webSocketEngine)
    {
        var server = await s_server.Value;
        await using var harness = await FaultHarness.ConnectAsync(server, transport, webSocketEngine: webSocketEngine);
        var socket = harness.Socket;
        var prefix = $"stall-{transport}-{webSocketEngine}-{Guid.NewGuid():N}-";
        await harness.AssertUsableAsync();
        var pending = socket.GetAsync("/never", Bound.Seconds(30)).AsTask();
        await harness.AssertUsableAsync(); // answered after /never was handled: /never is in flight, not still queued

        harness.Proxy.Stall();

        // Detected by the heartbeat: nothing closes a stalled connection, only the missing pings tell. How soon (within
        // pingInterval + pingTimeout) is tested on a fake clock in EngineConnectionTests.Heartbeat.
        var disconnect = await harness.NextDisconnectAsync(0, 15);
        Assert.Equal(SailsDisconnectReason.PingTimeout, disconnect.Reason);
        await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => pending.Within(5));

        var queued = Enumerable.Range(0, 2)
            .Select(i => socket.PostAsJsonAsync("/pet", new PetData(prefix + i), TestJson.Default.PetData, Bound.Seconds(30)).AsTask())
            .ToArray();
        harness.Proxy.Resume();
        Assert.All(await Task.WhenAll(queued).Within(20), r => Assert.Equal(200, r.StatusCode));
        await harness.ReconnectedAsync(1, 15);
        await harness.AssertUsableAsync();
        Assert.Equal([prefix + 0, prefix + 1], await FaultHarness.PetNamesAsync(server, prefix));
    }
}
