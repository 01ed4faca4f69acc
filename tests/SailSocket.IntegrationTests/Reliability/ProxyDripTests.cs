using System.Text.Json;
using SailSocket.Engine;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Reliability;

/// <summary>
/// Fault injection: every byte through the proxy one (WebSocket) or eight (polling) at a time, each its own TCP segment — a WebSocket frame,
/// an HTTP body and a JWR split across hundreds of segments still parse; then a slow link (delay) and back to normal.
/// </summary>
public sealed class ProxyDripTests
{
    [Theory]
    [InlineData(EngineTransports.WebSocket, 1, EngineWebSocketEngine.ClientWebSocket)]
    [InlineData(EngineTransports.WebSocket, 1, EngineWebSocketEngine.Managed)]
    [InlineData(EngineTransports.Polling, 8, EngineWebSocketEngine.ClientWebSocket)] // HTTP headers make each poll ~300 bytes longer: 8 bytes a segment keeps it short
    public async Task Responses_and_events_dripped_a_few_bytes_per_segment_still_parse(EngineTransports transport, int bytesPerSegment, EngineWebSocketEngine webSocketEngine)
    {
        var server = await SharedSailsServer.GetAsync();
        await using var harness = await FaultHarness.ConnectAsync(server, transport, webSocketEngine: webSocketEngine);
        var socket = harness.Socket;
        var direct = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = socket.On("direct", e => direct.TrySetResult(e));
        var pad = new string('d', 100);

        // The JWR back to back, one send per piece (a TCP segment each: Nagle is off); timers would make 1 ms pauses
        // ~10 ms on two busy cores, too slow for ~700 bytes.
        harness.Proxy.Drip(bytesPerSegment, TimeSpan.Zero);
        var before = harness.Proxy.SendsForwarded(FaultProxyDirection.ServerToClient);
        var echo = (await socket.GetAsync($"/echo?pad={pad}", Bound.Seconds(30))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal(pad, echo.Query.GetProperty("pad").GetString());
        var segments = harness.Proxy.SendsForwarded(FaultProxyDirection.ServerToClient) - before;
        Assert.True(segments >= 3 * pad.Length / bytesPerSegment, $"{segments} segments"); // the pad comes back three times (url, query, params)

        // The event with a pause after every piece, so the client's reads see it arrive a piece at a time.
        harness.Proxy.Drip(bytesPerSegment, TimeSpan.FromMilliseconds(1));
        await socket.GetAsync("/push-to-me", Bound.Seconds(30));
        var pushed = await direct.Task.Within(15);
        Assert.Equal("you", pushed.ReadDataAsElement().GetProperty("hello").GetString());

        harness.Proxy.Resume();
        harness.Proxy.Delay(TimeSpan.FromMilliseconds(150));
        await harness.AssertUsableAsync();
        harness.Proxy.Resume();
        await harness.AssertUsableAsync();
        Assert.Equal(0, harness.DisconnectCount);
    }
}
