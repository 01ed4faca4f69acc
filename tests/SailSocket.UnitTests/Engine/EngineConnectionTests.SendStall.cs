using System;
using System.Net.WebSockets;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <content>
/// A server that stops reading (issue 14): a write held past the deadline of the data waiting for it, with no write
/// completing for a tick, aborts the connection. On a manual clock with 20 ms ticks, so the moment is exact; the held
/// write stands for a socket whose TCP window is full.
/// </content>
public sealed partial class EngineConnectionTests
{
    [Fact]
    public async Task Send_HeldPastItsDeadline_AbortsTheConnection_AtTheFirstTickPastIt()
    {
        var clock = new ManualTimeProvider();
        var (connection, socket) = await ConnectGatedAsync(clock);
        var gate = socket.HoldNextSend();

        using var message = Message("2[\"upload\"]");
        var send = connection.SendAsync(message, null, TimeSpan.FromMilliseconds(300), default).AsTask();
        await gate.Entered.Task.WaitAsync(TestTimeouts.Default);

        clock.Advance(TimeSpan.FromMilliseconds(280));
        Assert.True(connection.IsOpen);
        clock.Advance(TimeSpan.FromMilliseconds(20));
        Assert.False(connection.IsOpen);
        Assert.Equal(EngineConnectionError.TransportError, connection.CloseReason);

        // The abort ends the write (a ClientWebSocket's pending send fails at once; the gate plays that here).
        gate.Release.SetException(new WebSocketException(WebSocketError.InvalidState, "aborted"));
        var error = await Assert.ThrowsAsync<EngineConnectionException>(() => send.WaitAsync(TestTimeouts.Default));
        Assert.Contains("stopped reading", error.Message, StringComparison.Ordinal);
        Assert.False(send.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Send_QueuedPastItsDeadline_BehindAHeldWriteWithoutOne_AbortsTheConnection()
    {
        var clock = new ManualTimeProvider();
        var (connection, socket) = await ConnectGatedAsync(clock);
        var gate = socket.HoldNextSend();

        using var ack = Message("3[]");
        using var request = Message("2[\"request\"]");
        var held = connection.SendAsync(ack).AsTask();
        await gate.Entered.Task.WaitAsync(TestTimeouts.Default);
        var queued = connection.SendAsync(request, null, TimeSpan.FromMilliseconds(200), default).AsTask();

        clock.Advance(TimeSpan.FromMilliseconds(180));
        Assert.True(connection.IsOpen);
        clock.Advance(TimeSpan.FromMilliseconds(20));
        Assert.False(connection.IsOpen);

        gate.Release.SetException(new WebSocketException(WebSocketError.InvalidState, "aborted"));
        await Assert.ThrowsAsync<EngineConnectionException>(() => held.WaitAsync(TestTimeouts.Default));
        await Assert.ThrowsAsync<EngineConnectionException>(() => queued.WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Send_SlowButCompleting_IsNotAborted_PastTheDeadlineOfWhatWaits()
    {
        var clock = new ManualTimeProvider();
        var (connection, socket) = await ConnectGatedAsync(clock);

        // Each write is held across several ticks, but one completes between every two checks: progress.
        using var message = Message("2[\"slow\"]");
        for (var i = 0; i < 5; i++)
        {
            var gate = socket.HoldNextSend();
            var send = connection.SendAsync(message, null, TimeSpan.FromMilliseconds(10), default).AsTask();
            await gate.Entered.Task.WaitAsync(TestTimeouts.Default);
            clock.Advance(TimeSpan.FromMilliseconds(20));
            gate.Release.SetResult();
            await send.WaitAsync(TestTimeouts.Default);
            Assert.Equal("42[\"slow\"]", await _peer.ReceiveTextAsync());
        }

        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Send_WithANonPositiveTimeout_IsRefused()
    {
        var connection = await ConnectAsync();
        using var message = Message("2[\"x\"]");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => connection.SendAsync(message, null, TimeSpan.Zero, default).AsTask());
        Assert.True(connection.IsOpen);
    }

    /// <summary>Connects on a manual clock (20 ms ticks, Sails' 25 s + 60 s heartbeat) through a WebSocket whose sends the test holds.</summary>
    private async Task<(EngineConnection Connection, GatedSendWebSocket Socket)> ConnectGatedAsync(ManualTimeProvider clock)
    {
        var socket = new GatedSendWebSocket(_peer.Client);
        var peerOptions = _peer.CreateOptions();
        var connection = await ConnectAsync(new EngineOptions
        {
            Url = peerOptions.Url,
            ConnectTimeout = peerOptions.ConnectTimeout,
            MaxMessageSize = peerOptions.MaxMessageSize,
            TimeProvider = clock,
            TimerResolution = TimeSpan.FromMilliseconds(20),
            WebSocketFactory = (_, _) => ValueTask.FromResult<WebSocket>(socket),
        });
        return (connection, socket);
    }
}
