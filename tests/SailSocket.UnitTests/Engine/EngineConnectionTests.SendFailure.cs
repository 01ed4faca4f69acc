using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <content>
/// A WebSocket write that fails while other senders wait in the send queue: the sender whose write failed, and every
/// sender queued behind it, get an <see cref="EngineConnectionException"/>, and the connection ends with that reason.
/// </content>
public sealed partial class EngineConnectionTests
{
    [Fact]
    public async Task Send_FailedWrite_FailsItsSenderAndTheQueuedOnes_AndEndsTheConnection()
    {
        var (connection, socket) = await ConnectGatedAsync();
        var gate = socket.HoldNextSend();

        using var first = Message("2[\"first\"]");
        using var second = Message("2[\"second\"]");
        using var third = Message("2[\"third\"]");
        var writing = connection.SendAsync(first).AsTask();
        await gate.Entered.Task.WaitAsync(TestTimeouts.Default);
        var queued = new[] { connection.SendAsync(second).AsTask(), connection.SendAsync(third).AsTask() };
        Assert.All(queued, t => Assert.False(t.IsCompleted));

        gate.Release.SetException(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "the peer vanished"));

        var error = await Assert.ThrowsAsync<EngineConnectionException>(() => writing.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.TransportError, error.Error);
        Assert.IsType<WebSocketException>(error.InnerException);
        foreach (var later in queued)
        {
            var laterError = await Assert.ThrowsAsync<EngineConnectionException>(() => later.WaitAsync(TestTimeouts.Default));
            Assert.Equal(EngineConnectionError.TransportError, laterError.Error);
        }

        Assert.False(connection.IsOpen);
        Assert.Equal(EngineConnectionError.TransportError, connection.CloseReason);
        Assert.Equal(0, socket.WrittenAfterFailure);
    }

    [Fact]
    public async Task Send_CancelledWhileQueued_IsNotWritten_AndTheOthersAre()
    {
        var (connection, socket) = await ConnectGatedAsync();
        var gate = socket.HoldNextSend();
        using var cts = new CancellationTokenSource();

        using var first = Message("2[\"first\"]");
        using var cancelled = Message("2[\"cancelled\"]");
        using var last = Message("2[\"last\"]");
        var writing = connection.SendAsync(first).AsTask();
        await gate.Entered.Task.WaitAsync(TestTimeouts.Default);
        var dropped = connection.SendAsync(cancelled, null, cts.Token).AsTask();
        var kept = connection.SendAsync(last).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped.WaitAsync(TestTimeouts.Default));
        gate.Release.SetResult();
        await Task.WhenAll(writing, kept).WaitAsync(TestTimeouts.Default);

        Assert.Equal("42[\"first\"]", await _peer.ReceiveTextAsync());
        Assert.Equal("42[\"last\"]", await _peer.ReceiveTextAsync());
        Assert.True(connection.IsOpen);
    }

    /// <summary>Connects through a WebSocket whose sends the test can hold or fail.</summary>
    private async Task<(EngineConnection Connection, GatedSendWebSocket Socket)> ConnectGatedAsync()
    {
        var socket = new GatedSendWebSocket(_peer.Client);
        var peerOptions = _peer.CreateOptions();
        var connection = await ConnectAsync(new EngineOptions
        {
            Url = peerOptions.Url,
            ConnectTimeout = peerOptions.ConnectTimeout,
            MaxMessageSize = peerOptions.MaxMessageSize,
            WebSocketFactory = (_, _) => ValueTask.FromResult<WebSocket>(socket),
        });
        return (connection, socket);
    }
}
