using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.TestServers;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails.Diagnostics;

/// <summary>
/// <see cref="SailsClientOptions.LogSink"/> against a scripted server: the events a real server will not produce on demand
/// (protocol errors, an event flood) reach the sink with stable ids, and a sink that throws never breaks a socket.
/// </summary>
[Collection(DiagnosticsGroup.Name)]
public sealed class SailsLogSinkTests
{
    [Fact]
    public async Task A_response_that_is_not_a_JWR_is_logged_as_a_protocol_error()
    {
        var log = new RecordingLogSink();
        await using var h = new SailsHarness(logSink: log);
        var (socket, peer) = await h.ConnectAsync();

        var pending = socket.GetAsync("/x").AsTask();
        var request = await peer.ReceiveRequestAsync();
        await peer.Peer.SendTextAsync($"43{request.AckId}[\"not a JWR\"]");
        await Assert.ThrowsAsync<SailsProtocolException>(() => pending.WaitAsync(TestTimeouts.Default));

        var entry = await log.WaitForAsync("ProtocolError", TestTimeouts.Default);
        Assert.Equal((SailsLogLevel.Error, 8), (entry.Level, entry.EventId));
        Assert.Equal(typeof(SailsProtocolException).FullName, entry.ErrorType);
        Assert.Null(entry.Exception);
        Assert.Equal("http://127.0.0.1:1", entry.Url);
    }

    [Fact]
    public async Task A_connection_that_breaks_the_protocol_logs_the_disconnect_and_the_error()
    {
        var log = new RecordingLogSink();
        await using var h = new SailsHarness(logSink: log);
        var (socket, peer) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);

        await peer.Peer.SendTextAsync("4Z");
        await LifecycleRecorder.NextAsync(events.Disconnected);

        var disconnected = await log.WaitForAsync("Disconnected", TestTimeouts.Default);
        Assert.Equal((SailsLogLevel.Warning, 2), (disconnected.Level, disconnected.EventId));
        Assert.EndsWith("ProtocolError", disconnected.Message, StringComparison.Ordinal);
        var error = await log.WaitForAsync("ProtocolError", TestTimeouts.Default);
        Assert.Equal(SailsLogLevel.Error, error.Level);
        Assert.NotNull(error.ErrorType);
    }

    [Fact]
    public async Task Dropped_events_are_logged_at_powers_of_two_with_the_total()
    {
        var log = new RecordingLogSink();
        using var metrics = new MetricRecorder();
        await using var h = new SailsHarness(maxPendingEvents: 1, logSink: log);
        var (socket, peer) = await h.ConnectAsync();
        using var release = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        socket.On("flood", _ =>
        {
            entered.Release();
            release.Wait(TestTimeouts.Default);
        });

        await peer.EmitAsync("flood");
        Assert.True(await entered.WaitAsync(TestTimeouts.Default));
        for (var i = 0; i < 10; i++)
        {
            await peer.EmitAsync("flood");
        }

        // A request answered after the flood proves the receive loop has handled every event before it.
        var probe = socket.GetAsync("/probe").AsTask();
        await peer.RespondAsync(await peer.ReceiveRequestAsync());
        await probe.WaitAsync(TestTimeouts.Default);
        release.Set();

        var dropped = socket.DroppedEventCount;
        Assert.InRange(dropped, 8, 10);
        var entries = log.Entries.Where(e => e.EventName == "EventDropped").ToList();
        Assert.Equal(4, entries.Count); // the 1st, 2nd, 4th and 8th
        Assert.All(entries, e => Assert.Equal((SailsLogLevel.Warning, 7), (e.Level, e.EventId)));
        Assert.Contains("(8 dropped so far)", entries[^1].Message, StringComparison.Ordinal);
        Assert.Equal(dropped, metrics.Sum("sailsocket.events.dropped"));
        Assert.Equal(11, metrics.Sum("sailsocket.events.received")); // the first and the ten of the flood
    }

    [Fact]
    public async Task A_handler_exception_is_logged_with_the_exception()
    {
        var log = new RecordingLogSink();
        await using var h = new SailsHarness(logSink: log);
        var (socket, peer) = await h.ConnectAsync();
        var thrown = new InvalidOperationException("handler bug");
        socket.On("boom", _ => throw thrown);

        await peer.EmitAsync("boom");
        var entry = await log.WaitForAsync("HandlerFailed", TestTimeouts.Default);
        Assert.Equal((SailsLogLevel.Error, 6), (entry.Level, entry.EventId));
        Assert.Same(thrown, entry.Exception);
        Assert.Contains("boom", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_enabled_levels_are_rendered()
    {
        var log = new RecordingLogSink(SailsLogLevel.Warning);
        await using var h = new SailsHarness(logSink: log);
        var (socket, _) = await h.ConnectAsync();
        await socket.DisconnectAsync().WaitAsync(TestTimeouts.Default);

        // Connected and a deliberate disconnect are Information: below the sink's level.
        await Task.Delay(TestTimeouts.Quiet);
        Assert.Empty(log.Entries);
    }

    [Fact]
    public async Task A_sink_that_throws_never_breaks_the_socket()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)), logSink: new ThrowingSink());
        var (socket, first) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);
        await first.DropAsync();
        await LifecycleRecorder.NextAsync(events.Disconnected);
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await h.Server.AcceptAsync();
        await LifecycleRecorder.NextAsync(events.Reconnected);

        var pending = socket.GetAsync("/after").AsTask();
        await second.RespondAsync(await second.ReceiveRequestAsync());
        Assert.Equal(200, (await pending.WaitAsync(TestTimeouts.Default)).StatusCode);
    }

    private sealed class ThrowingSink : SailsLogSink
    {
        public override bool IsEnabled(SailsLogLevel level) => level >= SailsLogLevel.Warning ? true : throw new InvalidOperationException("sink bug");

        public override void Log(in SailsLogEntry entry) => throw new InvalidOperationException("sink bug");
    }
}
