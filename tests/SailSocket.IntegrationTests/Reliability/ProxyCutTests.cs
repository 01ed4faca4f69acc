using SailSocket.Engine;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Reliability;

/// <summary>
/// Fault injection: connections cut under a socket by a proxy (RST, FIN, one direction, in the middle of a
/// frame), idle, with requests in flight and with requests queued while the proxy refuses to reconnect, over WebSocket
/// and long-polling, against the shared Sails server.
/// </summary>
public sealed class ProxyCutTests
{
    public static TheoryData<EngineTransports, string> IdleCuts => new()
    {
        { EngineTransports.WebSocket, "rst" },
        { EngineTransports.WebSocket, "fin" },
        { EngineTransports.WebSocket, "server-to-client" },
        { EngineTransports.WebSocket, "client-to-server" },
        { EngineTransports.Polling, "rst" },
        { EngineTransports.Polling, "fin" },
        { EngineTransports.Polling, "server-to-client" },
        { EngineTransports.Polling, "client-to-server" },
    };

    [Theory]
    [MemberData(nameof(IdleCuts))]
    public async Task A_connection_cut_while_idle_is_reported_then_reconnected_and_the_socket_works(EngineTransports transport, string cut)
    {
        var server = await SharedSailsServer.GetAsync();
        await using var harness = await FaultHarness.ConnectAsync(server, transport);
        await harness.AssertUsableAsync();
        await harness.CutWhileIdleAndRecoverAsync(cut);
    }

    [Theory]
    [InlineData(EngineTransports.WebSocket, EngineWebSocketEngine.ClientWebSocket)]
    [InlineData(EngineTransports.WebSocket, EngineWebSocketEngine.Managed)]
    [InlineData(EngineTransports.Polling, EngineWebSocketEngine.ClientWebSocket)]
    public async Task Sent_requests_fail_interrupted_and_requests_queued_while_the_proxy_refuses_are_sent_once_when_it_accepts(EngineTransports transport, EngineWebSocketEngine webSocketEngine)
    {
        var server = await SharedSailsServer.GetAsync();
        await using var harness = await FaultHarness.ConnectAsync(server, transport, webSocketEngine: webSocketEngine);
        var socket = harness.Socket;
        var prefix = $"queued-{transport}-{webSocketEngine}-{Guid.NewGuid():N}-";
        var slow = socket.GetAsync("/slow?ms=5000", Bound.Seconds(30)).AsTask();
        var never = socket.GetAsync("/never", Bound.Seconds(30)).AsTask();

        // Requests go out and are handled in order: once a later one is answered, the server has both of these.
        await harness.AssertUsableAsync();

        harness.Proxy.RefuseConnections();
        Assert.True(harness.Proxy.CutAll(reset: true) > 0);
        var interrupted = await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => slow.Within(10));
        Assert.True(interrupted.RequestMayHaveBeenProcessed);
        await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => never.Within(10));
        await Bound.Until(() => socket.State == SailsSocketState.Reconnecting, 10);

        var queued = Enumerable.Range(0, 5)
            .Select(i => socket.PostAsJsonAsync("/pet", new PetData(prefix + i), TestJson.Default.PetData, Bound.Seconds(60)).AsTask())
            .ToArray();

        // Reconnection keeps trying, with backoff, against a proxy that resets every connection.
        await Bound.Until(() => harness.ConnectErrors.Count >= 2, 15);
        Assert.True(harness.Proxy.RefusedCount >= 2);
        Assert.All(queued, q => Assert.False(q.IsCompleted));

        harness.Proxy.Resume();
        var responses = await Task.WhenAll(queued).Within(30);
        Assert.All(responses, r => Assert.Equal(200, r.StatusCode));
        await harness.AssertUsableAsync();

        // Exactly once, in call order.
        Assert.Equal(Enumerable.Range(0, 5).Select(i => prefix + i), await FaultHarness.PetNamesAsync(server, prefix));
    }

    [Theory]
    [InlineData(EngineTransports.WebSocket)]
    [InlineData(EngineTransports.Polling)]
    public async Task A_cut_in_the_middle_of_a_server_frame_fails_the_request_it_answered_without_resending_it(EngineTransports transport)
    {
        var server = await SharedSailsServer.GetAsync();
        await using var harness = await FaultHarness.ConnectAsync(server, transport);
        await harness.AssertUsableAsync();
        var prefix = $"midframe-{transport}-{Guid.NewGuid():N}-";
        var name = prefix + new string('x', 3000); // the answer echoes it: one large WebSocket frame or GET body

        harness.Proxy.CutInNextChunk(FaultProxyDirection.ServerToClient, minimumLength: 2000);
        var post = harness.Socket.PostAsJsonAsync("/pet", new PetData(name), TestJson.Default.PetData, Bound.Seconds(30)).AsTask();
        var error = await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => post.Within(15));
        Assert.True(error.RequestMayHaveBeenProcessed);
        Assert.False(harness.Proxy.MidChunkCutArmed);

        await harness.ReconnectedAsync(1, 15);
        await harness.AssertUsableAsync();

        // The server got it (the whole request went through) and nothing sent it again.
        Assert.Equal([name], await FaultHarness.PetNamesAsync(server, prefix));
    }

    [Fact]
    public async Task A_polling_POST_whose_answer_is_cut_is_never_sent_twice()
    {
        var server = await SharedSailsServer.GetAsync();
        await using var harness = await FaultHarness.ConnectAsync(server, EngineTransports.Polling);
        await harness.AssertUsableAsync();
        var prefix = $"postcut-{Guid.NewGuid():N}-";

        // The next server chunk is the POST's "ok" or the poll carrying the ack: either way the request went out whole.
        harness.Proxy.CutInNextChunk(FaultProxyDirection.ServerToClient, keepBytes: 10);
        var post = harness.Socket.PostAsJsonAsync("/pet", new PetData(prefix + "0"), TestJson.Default.PetData, Bound.Seconds(30)).AsTask();
        var outcome = await Record.ExceptionAsync(() => post.Within(15));
        Assert.True(outcome is null or SailsRequestInterruptedException, outcome?.ToString());

        await harness.ReconnectedAsync(1, 15);
        await harness.AssertUsableAsync();
        Assert.Equal([prefix + "0"], await FaultHarness.PetNamesAsync(server, prefix));
    }
}
