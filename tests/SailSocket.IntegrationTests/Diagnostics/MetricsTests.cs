using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Diagnostics;

/// <summary>
/// The <c>SailSocket</c> meter read with a <see cref="System.Diagnostics.Metrics.MeterListener"/> while a socket talks to
/// the real Sails app: requests by method, status class and error type, their durations, the connection counters, the
/// connected-sockets gauge, events and bytes.
/// </summary>
[Collection(DiagnosticsGroup.Name)]
public sealed class MetricsTests : SailsServerTestBase
{
    [Fact]
    public async Task A_socket_talking_to_Sails_is_measured()
    {
        using var metrics = new MetricRecorder();

        // The gauges cover every live client of the process: a socket another test left behind is not this test's.
        var connectedBefore = metrics.Observe("sailsocket.sockets.connected");
        var activeBefore = metrics.Observe("sailsocket.requests.active");
        var queuedBefore = metrics.Observe("sailsocket.requests.queued");
        var socket = await ConnectAsync();
        var directEvents = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = socket.On("direct", _ => directEvents.TrySetResult());
        Assert.Equal(connectedBefore + 1, metrics.Observe("sailsocket.sockets.connected"));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await socket.GetAsync("/echo?token=query-secret-value").AsTask().Within(15)).StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(404, (await socket.GetAsync("/status/404").AsTask().Within(15)).StatusCode);
        }

        Assert.Equal(200, (await socket.PostAsync("/echo").AsTask().Within(15)).StatusCode);
        Assert.Equal(200, (await socket.GetAsync("/push-to-me").AsTask().Within(15)).StatusCode);
        await directEvents.Task.Within(15);
        await Assert.ThrowsAsync<SailsTimeoutException>(() => socket.RequestAsync(new SailsRequest("get", "/never") { Timeout = TimeSpan.FromMilliseconds(300) }).AsTask().Within(15));
        Assert.Equal(activeBefore, metrics.Observe("sailsocket.requests.active"));
        Assert.Equal(queuedBefore, metrics.Observe("sailsocket.requests.queued"));

        await socket.DisconnectAsync().Within(15);
        await Bound.Until(() => metrics.Sum("sailsocket.disconnects") > 0, 15);
        Assert.Equal(connectedBefore, metrics.Observe("sailsocket.sockets.connected"));

        Assert.Equal(4, metrics.Sum("sailsocket.requests", ("http.request.method", "GET"), ("sailsocket.response.status_class", "2xx")));
        Assert.Equal(2, metrics.Sum("sailsocket.requests", ("http.request.method", "GET"), ("sailsocket.response.status_class", "4xx"), ("error.type", "404")));
        Assert.Equal(1, metrics.Sum("sailsocket.requests", ("http.request.method", "POST"), ("sailsocket.response.status_class", "2xx")));
        Assert.Equal(1, metrics.Sum("sailsocket.requests", ("http.request.method", "GET"), ("error.type", typeof(SailsTimeoutException).FullName)));
        Assert.Equal(8, metrics.Sum("sailsocket.requests"));

        var durations = metrics.Of("sailsocket.request.duration");
        Assert.Equal(8, durations.Count);
        Assert.All(durations, d => Assert.InRange(d.Value, 0, 15));
        Assert.InRange(durations.Single(d => d.Tag("error.type") is "SailSocket.SailsTimeoutException").Value, 0.29, 15);

        Assert.Equal(1, metrics.Sum("sailsocket.connection.attempts"));
        Assert.Equal(1, metrics.Sum("sailsocket.connects"));
        Assert.Equal(0, metrics.Sum("sailsocket.reconnects"));
        Assert.Equal(1, metrics.Sum("sailsocket.disconnects", ("sailsocket.disconnect.reason", "ClientDisconnect")));
        Assert.Equal(1, metrics.Sum("sailsocket.events.received"));
        Assert.Equal(0, metrics.Sum("sailsocket.events.dropped"));

        // Eight envelopes out (each well over 60 bytes), eight JWRs and an event back, plus the handshakes.
        Assert.InRange(metrics.Sum("sailsocket.bytes.sent"), 8 * 60, 1_000_000);
        Assert.InRange(metrics.Sum("sailsocket.bytes.received"), 8 * 60, 1_000_000);

        // Tags are a bounded set: never the route, the query or a header.
        Assert.DoesNotContain(metrics.All.SelectMany(m => m.Tags), t => t.Value is string s && (s.Contains('/') || s.Contains("secret", StringComparison.Ordinal)));
    }
}
