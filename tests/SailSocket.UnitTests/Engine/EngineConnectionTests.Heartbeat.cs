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
        using var timer = new SharedTimer(s_heartbeatResolution);
        var connection = await ConnectAsync(_peer.CreateOptions(timer: timer), WebSocketPeer.OpenPacket(pingInterval: 100, pingTimeout: 100));
        var stopwatch = StartStopwatch();

        await ReceiveFailsAsync(connection, EngineConnectionError.PingTimeout);

        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Heartbeat_PingsKeepTheConnectionAlive()
    {
        using var timer = new SharedTimer(s_heartbeatResolution);
        var connection = await ConnectAsync(_peer.CreateOptions(timer: timer), WebSocketPeer.OpenPacket(pingInterval: 100, pingTimeout: 100));

        // Six pings 80 ms apart span 480 ms: more than twice the 200 ms window, so only the pings keep it open.
        var server = Task.Run(async () =>
        {
            for (var i = 0; i < 6; i++)
            {
                await Task.Delay(80);
                await _peer.SendTextAsync("2");
                Assert.Equal("3", await _peer.ReceiveTextAsync());
            }

            await _peer.SendTextAsync("4still here");
        });

        var message = await ReceiveAsync(connection);

        Assert.Equal("still here", Text(message));
        await server.WaitAsync(TestTimeouts.Default);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Heartbeat_DeadConnection_UnregistersFromTheSharedTimer()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(TimeSpan.FromMilliseconds(100), clock);
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
        using var timer = new SharedTimer(TimeSpan.FromMilliseconds(100), clock);
        var connection = await ConnectAsync(_peer.CreateOptions(timer: timer));
        Assert.Equal(1, clock.ActiveTimerCount);

        await connection.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal(0, clock.ActiveTimerCount);
    }
}
