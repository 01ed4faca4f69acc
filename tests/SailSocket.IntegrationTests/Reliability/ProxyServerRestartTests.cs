using SailSocket.Engine;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Reliability;

/// <summary>
/// Fault injection: the Sails server killed under two sockets (WebSocket and polling) that reach it through
/// proxies, and a new one lifted behind the same proxy URLs.
/// </summary>
public sealed class ProxyServerRestartTests
{
    [Fact]
    public async Task A_server_killed_and_replaced_behind_the_proxy_gets_each_queued_request_once()
    {
        var first = await SailsServer.StartAsync();
        try
        {
            await using var ws = await FaultHarness.ConnectAsync(first, EngineTransports.WebSocket);
            await using var polling = await FaultHarness.ConnectAsync(first, EngineTransports.Polling);
            FaultHarness[] harnesses = [ws, polling];
            var slow = harnesses.Select(h => h.Socket.GetAsync("/slow?ms=5000", Bound.Seconds(30)).AsTask()).ToArray();

            // Requests go out and are handled in order: once a later one is answered, the server has the slow one.
            foreach (var h in harnesses)
            {
                await h.AssertUsableAsync();
            }

            first.Kill();
            foreach (var request in slow)
            {
                await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => request.Within(10));
            }

            await Bound.Until(() => harnesses.All(h => h.Socket.State == SailsSocketState.Reconnecting), 10);
            var prefixes = harnesses.Select(_ => $"restart-{Guid.NewGuid():N}-").ToArray();
            var queued = harnesses.SelectMany((h, n) => Enumerable.Range(0, 3)
                .Select(i => h.Socket.PostAsJsonAsync("/pet", new PetData(prefixes[n] + i), TestJson.Default.PetData, Bound.Seconds(60)).AsTask()))
                .ToArray();

            // The proxies accept, find nothing behind them and reset: attempts fail and reconnection keeps going.
            await Bound.Until(() => harnesses.All(h => h.ConnectErrors.Count >= 1), 15);

            await using var second = await SailsServer.StartAsync();
            foreach (var h in harnesses)
            {
                h.Proxy.TargetPort = second.Port;
            }

            Assert.All(await Task.WhenAll(queued).Within(30), r => Assert.Equal(200, r.StatusCode));
            for (var n = 0; n < harnesses.Length; n++)
            {
                await harnesses[n].AssertUsableAsync();
                Assert.Equal(Enumerable.Range(0, 3).Select(i => prefixes[n] + i), await FaultHarness.PetNamesAsync(second, prefixes[n]));
                Assert.Contains("disconnected:TransportClose", harnesses[n].Lifecycle);
            }
        }
        finally
        {
            await first.DisposeAsync();
        }
    }
}
