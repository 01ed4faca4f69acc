using System;
using System.Linq;
using System.Threading.Tasks;
using SailSocket.Diagnostics;
using SailSocket.TestServers;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails.Diagnostics;

/// <summary>
/// The <c>SailSocket</c> meter against a scripted server on the socket's clock: request counts and durations by method,
/// status class and error type, the in-flight and queued gauges, and the connection counters.
/// </summary>
[Collection(DiagnosticsGroup.Name)]
public sealed class SailsMetricsTests
{
    [Fact]
    public async Task A_request_is_counted_and_timed_on_the_socket_clock_with_bounded_tags()
    {
        using var metrics = new MetricRecorder();
        await using var h = new SailsHarness();
        var (socket, peer) = await h.ConnectAsync();

        var pending = socket.GetAsync("/items/7?token=query-secret-value").AsTask();
        var request = await peer.ReceiveRequestAsync();
        h.Clock.Advance(TimeSpan.FromMilliseconds(250));
        await peer.RespondAsync(request, statusCode: 404);
        Assert.Equal(404, (await pending.WaitAsync(TestTimeouts.Default)).StatusCode);

        var count = Assert.Single(metrics.Of("sailsocket.requests"));
        Assert.Equal(1, count.Value);
        Assert.Equal("GET", count.Tag("http.request.method"));
        Assert.Equal("4xx", count.Tag("sailsocket.response.status_class"));
        Assert.Equal("404", count.Tag("error.type"));
        var duration = Assert.Single(metrics.Of("sailsocket.request.duration"));
        Assert.Equal(0.25, duration.Value, 6);
        Assert.Equal(count.Tags.OrderBy(t => t.Key), duration.Tags.OrderBy(t => t.Key));

        // Never the route or the query: the tags are a bounded set.
        Assert.DoesNotContain(metrics.All.SelectMany(m => m.Tags), t => t.Value is string s && (s.Contains("secret", StringComparison.Ordinal) || s.Contains("/items", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_failed_request_carries_the_exception_type_and_no_status()
    {
        using var metrics = new MetricRecorder();
        await using var h = new SailsHarness(requestTimeout: TimeSpan.FromSeconds(5));
        var (socket, peer) = await h.ConnectAsync();

        var pending = socket.PostAsync("/slow").AsTask();
        await peer.ReceiveRequestAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<SailsTimeoutException>(() => pending.WaitAsync(TestTimeouts.Default));
        var count = Assert.Single(metrics.Of("sailsocket.requests"));
        Assert.Equal("POST", count.Tag("http.request.method"));
        Assert.Equal(typeof(SailsTimeoutException).FullName, count.Tag("error.type"));
        Assert.Null(count.Tag("sailsocket.response.status_class"));
    }

    [Fact]
    public async Task Queued_and_active_requests_and_connected_sockets_are_observed()
    {
        using var metrics = new MetricRecorder();

        // The gauges cover every live client of the process: a socket another test left behind is not this test's.
        var connected = metrics.Observe("sailsocket.sockets.connected");
        var active = metrics.Observe("sailsocket.requests.active");
        var queued = metrics.Observe("sailsocket.requests.queued");
        await using var h = new SailsHarness();
        var socket = h.Client.CreateSocket();
        Assert.Equal(connected, metrics.Observe("sailsocket.sockets.connected"));

        // Not connected yet: the requests wait in the queue.
        var a = socket.GetAsync("/a").AsTask();
        var b = socket.GetAsync("/b").AsTask();
        Assert.Equal(queued + 2, metrics.Observe("sailsocket.requests.queued"));
        Assert.Equal(active, metrics.Observe("sailsocket.requests.active"));

        var peer = await h.Server.AcceptAsync();
        var ra = await peer.ReceiveRequestAsync();
        var rb = await peer.ReceiveRequestAsync();
        Assert.Equal(connected + 1, metrics.Observe("sailsocket.sockets.connected"));
        Assert.Equal(queued, metrics.Observe("sailsocket.requests.queued"));
        Assert.Equal(active + 2, metrics.Observe("sailsocket.requests.active"));

        await peer.RespondAsync(ra);
        await a.WaitAsync(TestTimeouts.Default);
        Assert.Equal(active + 1, metrics.Observe("sailsocket.requests.active"));
        await peer.RespondAsync(rb);
        await b.WaitAsync(TestTimeouts.Default);
        Assert.Equal(active, metrics.Observe("sailsocket.requests.active"));

        await socket.DisposeAsync();
        Assert.Equal(connected, metrics.Observe("sailsocket.sockets.connected"));
    }

    [Fact]
    public async Task Connects_reconnects_and_disconnects_are_counted_by_reason()
    {
        using var metrics = new MetricRecorder();
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        var (socket, first) = await h.ConnectAsync("first");
        var events = new LifecycleRecorder(socket);

        await first.DropAsync();
        await LifecycleRecorder.NextAsync(events.Disconnected);
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.Server.AcceptAsync("second");
        await LifecycleRecorder.NextAsync(events.Reconnected);

        // A manual reconnect ends the connection deliberately (Disconnected with ClientDisconnect) and makes a new one.
        var third = h.Server.AcceptAsync("third");
        await socket.ReconnectAsync().WaitAsync(TestTimeouts.Default);
        await third;
        await LifecycleRecorder.NextAsync(events.Disconnected);
        await LifecycleRecorder.NextAsync(events.Reconnected);

        await socket.DisconnectAsync().WaitAsync(TestTimeouts.Default);
        await LifecycleRecorder.NextAsync(events.Disconnected);

        Assert.Equal(3, metrics.Sum("sailsocket.connects"));
        Assert.Equal(2, metrics.Sum("sailsocket.reconnects"));
        Assert.Equal(3, metrics.Sum("sailsocket.connection.attempts"));
        Assert.All(metrics.Of("sailsocket.connection.attempts"), m => Assert.Null(m.Tag("error.type")));
        Assert.Equal(1, metrics.Sum("sailsocket.disconnects", ("sailsocket.disconnect.reason", "TransportClose")));
        Assert.Equal(2, metrics.Sum("sailsocket.disconnects", ("sailsocket.disconnect.reason", "ClientDisconnect")));
        Assert.True(metrics.Sum("sailsocket.bytes.sent") > 0);
        Assert.True(metrics.Sum("sailsocket.bytes.received") > 0);
    }

    [Fact]
    public async Task A_refused_attempt_is_counted_with_its_error_type()
    {
        using var metrics = new MetricRecorder();
        await using var h = new SailsHarness();
        h.Server.Refuse = _ => new System.Net.WebSockets.WebSocketException("refused");
        await Assert.ThrowsAsync<SailsConnectionException>(() => h.Client.ConnectAsync().WaitAsync(TestTimeouts.Default));

        var attempt = Assert.Single(metrics.Of("sailsocket.connection.attempts"));
        Assert.Equal(typeof(SailsConnectionException).FullName, attempt.Tag("error.type"));
        Assert.Equal(0, metrics.Sum("sailsocket.connects"));
    }

    [Theory]
    [InlineData(100, "1xx")]
    [InlineData(204, "2xx")]
    [InlineData(302, "3xx")]
    [InlineData(499, "4xx")]
    [InlineData(503, "5xx")]
    [InlineData(0, "_OTHER")]
    [InlineData(99, "_OTHER")]
    [InlineData(600, "_OTHER")]
    [InlineData(-404, "_OTHER")]
    public void The_status_class_is_bounded(int status, string expected) => Assert.Equal(expected, RequestTelemetry.StatusClass(status));

    [Fact]
    public void The_path_tag_never_carries_the_query()
    {
        Assert.Equal("/a/b", RequestTelemetry.PathOf("/a/b?token=x"));
        Assert.Equal("/a", RequestTelemetry.PathOf("/a#x?y"));
        Assert.Equal("/a", RequestTelemetry.PathOf("/a"));
    }

    [Fact]
    public void The_instruments_are_published_on_one_meter_named_SailSocket()
    {
        // Published at first use of each layer; another test in this process has used both by now, or this one does. A
        // listener started afterwards is told of every instrument already published.
        _ = SailsTelemetry.Requests;
        _ = SailSocket.Engine.Diagnostics.EngineMetrics.BytesSent;
        using var again = new MetricRecorder();
        var names = again.Instruments.Select(i => i.Name).ToHashSet();
        foreach (var name in new[]
        {
            "sailsocket.requests", "sailsocket.request.duration", "sailsocket.requests.active", "sailsocket.requests.queued",
            "sailsocket.connection.attempts", "sailsocket.connects", "sailsocket.reconnects", "sailsocket.disconnects",
            "sailsocket.sockets.connected", "sailsocket.events.received", "sailsocket.events.dropped",
            "sailsocket.bytes.sent", "sailsocket.bytes.received",
        })
        {
            Assert.Contains(name, names);
        }

        Assert.All(again.Instruments, i => Assert.Equal("SailSocket", i.Meter.Name));
#if NET9_0_OR_GREATER
        var duration = (System.Diagnostics.Metrics.Histogram<double>)again.Instruments.Single(i => i.Name == "sailsocket.request.duration");
        Assert.Equal(SailsTelemetry.DurationBuckets, duration.Advice!.HistogramBucketBoundaries);
#endif
    }
}
