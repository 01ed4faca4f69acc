using System;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <content>
/// The revision-4 heartbeat watchdog (protocol.md §2.6): the server is dead when no ping arrives within
/// pingInterval + pingTimeout. Real time here, with a 100 + 100 ms window and a 20 ms shared timer.
/// </content>
public sealed partial class EngineConnectionTests
{
    private static readonly TimeSpan s_heartbeatResolution = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task Heartbeat_NoPings_ReceiveFailsWithPingTimeout()
    {
        var timer = new TimerSettings(s_heartbeatResolution);

        // Started before the connection exists, so the 200 ms window cannot begin before the stopwatch does.
        var stopwatch = StartStopwatch();
        var connection = await ConnectAsync(_peer.CreateOptions(timer: timer), WebSocketPeer.OpenPacket(pingInterval: 100, pingTimeout: 100));

        await ReceiveFailsAsync(connection, EngineConnectionError.PingTimeout);

        // Never before the 200 ms window, and detected within a second after it (20 ms resolution, plus scheduling).
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(195), TimeSpan.FromMilliseconds(1200));
    }

    [Fact]
    public async Task Heartbeat_PingsKeepTheConnectionAlive()
    {
        // Manual clock: deterministic. The window is 1500 ms; five pings 1000 ms apart span 5 s.
        var clock = new ManualTimeProvider();
        var timer = new TimerSettings(TimeSpan.FromMilliseconds(100), clock);
        var connection = await ConnectAsync(_peer.CreateOptions(timer: timer), WebSocketPeer.OpenPacket(pingInterval: 1000, pingTimeout: 500));
        var receive = connection.ReceiveAsync().AsTask();

        for (var i = 0; i < 5; i++)
        {
            await _peer.SendTextAsync("2");

            // The pong goes out after the deadline moved: once it arrives, advancing the clock is safe.
            Assert.Equal("3", await _peer.ReceiveTextAsync());
            clock.Advance(TimeSpan.FromMilliseconds(1000));
            Assert.True(connection.IsOpen, $"closed after ping {i}");
        }

        await _peer.SendTextAsync("4still here");
        Assert.Equal("still here", Text(await receive.WaitAsync(TestTimeouts.Default)));

        clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.False(connection.IsOpen);
        Assert.Equal(EngineConnectionError.PingTimeout, connection.CloseReason);
    }

    [Fact]
    public async Task Heartbeat_DeadConnection_UnregistersFromTheSharedTimer()
    {
        var clock = new ManualTimeProvider();
        var timer = new TimerSettings(TimeSpan.FromMilliseconds(100), clock);
        var connection = await ConnectAsync(_peer.CreateOptions(timer: timer), WebSocketPeer.OpenPacket(pingInterval: 1000, pingTimeout: 500));
        Assert.Equal(1, clock.ActiveTimerCount);

        clock.Advance(TimeSpan.FromMilliseconds(1400));
        Assert.True(connection.IsOpen);

        // Due at exactly 1500 ms; the tick there sees it (the watchdog waits for "later than the deadline", so 1600).
        clock.Advance(TimeSpan.FromMilliseconds(200));

        Assert.False(connection.IsOpen);
        Assert.Equal(EngineConnectionError.PingTimeout, connection.CloseReason);
        Assert.Equal(0, clock.ActiveTimerCount);
        await ReceiveFailsAsync(connection, EngineConnectionError.PingTimeout);
    }

    [Fact]
    public async Task Heartbeat_Dispose_UnregistersFromTheSharedTimer()
    {
        var clock = new ManualTimeProvider();
        var timer = new TimerSettings(TimeSpan.FromMilliseconds(100), clock);
        var connection = await ConnectAsync(_peer.CreateOptions(timer: timer));
        Assert.Equal(1, clock.ActiveTimerCount);

        await connection.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal(0, clock.ActiveTimerCount);
    }
}
