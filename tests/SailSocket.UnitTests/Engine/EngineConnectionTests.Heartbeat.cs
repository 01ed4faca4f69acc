using System;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <content>
/// The revision-4 heartbeat watchdog (protocol.md §2.6): the server is dead when no ping arrives within
/// pingInterval + pingTimeout. On a manual clock, so the window is exact.
/// </content>
public sealed partial class EngineConnectionTests
{
    [Fact]
    public async Task Heartbeat_NoPings_ReceiveFailsWithPingTimeout()
    {
        // A 100 + 100 ms window, checked every 20 ms.
        var clock = new ManualTimeProvider();
        var timer = new TimerSettings(TimeSpan.FromMilliseconds(20), clock);
        var connection = await ConnectAsync(_peer.CreateOptions(timer: timer), WebSocketPeer.OpenPacket(pingInterval: 100, pingTimeout: 100));
        var receive = connection.ReceiveAsync().AsTask();

        // Not within the window: the tick at exactly 200 ms is not later than the deadline.
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True(connection.IsOpen);
        Assert.False(receive.IsCompleted);

        // The next tick is.
        clock.Advance(TimeSpan.FromMilliseconds(20));
        Assert.False(connection.IsOpen);
        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => receive.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.PingTimeout, ex.Error);
        await ReceiveFailsAsync(connection, EngineConnectionError.PingTimeout);
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
