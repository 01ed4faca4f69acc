using SailSocket.Engine;
using SailSocket.IntegrationTests.Reliability;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>
/// Fault injection on the managed WebSocket engine (owned upgrade, batched writes), through a <see cref="FaultProxy"/>
/// against the shared Sails server: the same outcomes as <see cref="ProxyCutTests"/> asks of <c>ClientWebSocket</c>, and
/// a burst of concurrent requests (batched on the wire) cut while in flight, none of them sent twice; each also with the
/// socket's reads on a thread of its own (<see cref="EngineOptions.ReceiveThread"/>).
/// </summary>
public sealed class ManagedEngineFaultTests
{
    [Theory]
    [InlineData("rst", false)]
    [InlineData("fin", false)]
    [InlineData("server-to-client", false)]
    [InlineData("client-to-server", false)]
    [InlineData("rst", true)]
    [InlineData("fin", true)]
    [InlineData("server-to-client", true)]
    public async Task A_connection_cut_while_idle_is_reported_then_reconnected_and_the_socket_works(string cut, bool receiveThread)
    {
        var server = await SharedSailsServer.GetAsync();
        await using var harness = await FaultHarness.ConnectAsync(server, EngineTransports.WebSocket, webSocketEngine: EngineWebSocketEngine.Managed, receiveThread: receiveThread);
        await harness.AssertUsableAsync();
        await harness.CutWhileIdleAndRecoverAsync(cut);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cut_in_the_middle_of_a_server_frame_fails_the_request_it_answered_without_resending_it(bool receiveThread)
    {
        var server = await SharedSailsServer.GetAsync();
        await using var harness = await FaultHarness.ConnectAsync(server, EngineTransports.WebSocket, webSocketEngine: EngineWebSocketEngine.Managed, receiveThread: receiveThread);
        await harness.AssertUsableAsync();
        var prefix = $"managed-midframe-{Guid.NewGuid():N}-";
        var name = prefix + new string('x', 3000);

        harness.Proxy.CutInNextChunk(FaultProxyDirection.ServerToClient, minimumLength: 2000);
        var post = harness.Socket.PostAsJsonAsync("/pet", new PetData(name), TestJson.Default.PetData, Bound.Seconds(30)).AsTask();
        var error = await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => post.Within(15));
        Assert.True(error.RequestMayHaveBeenProcessed);

        await harness.ReconnectedAsync(1, 15);
        await harness.AssertUsableAsync();
        Assert.Equal([name], await FaultHarness.PetNamesAsync(server, prefix));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_burst_of_requests_cut_in_flight_fails_each_once_and_none_is_sent_twice(bool receiveThread)
    {
        var server = await SharedSailsServer.GetAsync();
        await using var harness = await FaultHarness.ConnectAsync(server, EngineTransports.WebSocket, webSocketEngine: EngineWebSocketEngine.Managed, receiveThread: receiveThread);
        await harness.AssertUsableAsync();
        var prefix = $"managed-burst-{Guid.NewGuid():N}-";

        // 64 concurrent POSTs: the send queue gathers those that arrive during a write into one network write.
        var posts = Enumerable.Range(0, 64)
            .Select(i => harness.Socket.PostAsJsonAsync("/pet", new PetData(prefix + i), TestJson.Default.PetData, Bound.Seconds(30)).AsTask())
            .ToArray();
        harness.Proxy.CutAll(reset: true);
        var outcomes = await Task.WhenAll(posts.Select(async p =>
        {
            try
            {
                return (await p).StatusCode;
            }
            catch (SailsRequestInterruptedException)
            {
                return -1;
            }
            catch (SailsConnectionException)
            {
                return -2;
            }
        })).Within(30);

        await harness.ReconnectedAsync(1, 15);
        await harness.AssertUsableAsync();
        var stored = await FaultHarness.PetNamesAsync(server, prefix);
        Assert.Equal(stored.Length, stored.Distinct().Count());
        Assert.All(outcomes, o => Assert.Contains(o, new[] { 200, -1, -2 }));
        Assert.True(outcomes.Count(o => o == 200) <= stored.Length);
    }
}
