using System;
using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// A WebSocket write that fails while other senders wait in the send queue: the sender whose write failed, and every
/// sender queued behind it, get an <see cref="EngineConnectionException"/>, and the connection ends with that reason.
/// </summary>
public sealed class EngineConnectionSendFailureTests : IAsyncLifetime
{
    private readonly WebSocketPeer _peer = new();
    private GatedSendWebSocket? _socket;
    private EngineConnection? _connection;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }

        await _peer.DisposeAsync();
    }

    [Fact]
    public async Task AFailedWrite_FailsItsSenderAndTheQueuedOnes_AndEndsTheConnection()
    {
        var connection = await ConnectAsync();
        var gate = _socket!.HoldNextSend();

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
        Assert.Equal(0, _socket.WrittenAfterFailure);
    }

    [Fact]
    public async Task ACancelledQueuedSend_IsNotWritten_AndTheOthersAre()
    {
        var connection = await ConnectAsync();
        var gate = _socket!.HoldNextSend();
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

    private async Task<EngineConnection> ConnectAsync()
    {
        await _peer.SendTextAsync(WebSocketPeer.OpenPacket());
        _socket = new GatedSendWebSocket(_peer.Client);
        var options = _peer.CreateOptions();
        options = new EngineOptions
        {
            Url = options.Url,
            ConnectTimeout = options.ConnectTimeout,
            MaxMessageSize = options.MaxMessageSize,
            WebSocketFactory = (_, _) => ValueTask.FromResult<WebSocket>(_socket),
        };
        _connection = await EngineConnection.ConnectAsync(options).WaitAsync(TestTimeouts.Default);
        return _connection;
    }

    private static EngineMessageWriter Message(string socketIoPacket)
    {
        var writer = EngineMessageWriter.Rent(ArrayPool<byte>.Shared);
        writer.Write(Encoding.UTF8.GetBytes(socketIoPacket));
        return writer;
    }

    /// <summary>One held send: <see cref="Entered"/> when the write starts, finished (or failed) through <see cref="Release"/>.</summary>
    private sealed class SendGate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A WebSocket that can hold its next send until the test releases or fails it; otherwise the inner socket.</summary>
    private sealed class GatedSendWebSocket(WebSocket inner) : WebSocket
    {
        private SendGate? _hold;
        private int _failed;
        private int _writtenAfterFailure;
        private int _sending;

        public int WrittenAfterFailure => Volatile.Read(ref _writtenAfterFailure);

        public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

        public override string? CloseStatusDescription => inner.CloseStatusDescription;

        public override WebSocketState State => inner.State;

        public override string? SubProtocol => inner.SubProtocol;

        public SendGate HoldNextSend() => _hold = new SendGate();

        public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            // The send queue must never overlap writes, even when one fails.
            Assert.Equal(1, Interlocked.Increment(ref _sending));
            try
            {
                if (Interlocked.Exchange(ref _hold, null) is { } hold)
                {
                    hold.Entered.SetResult();
                    try
                    {
                        await hold.Release.Task;
                    }
                    catch
                    {
                        Volatile.Write(ref _failed, 1);
                        throw;
                    }
                }

                if (Volatile.Read(ref _failed) != 0 && inner.State == WebSocketState.Open)
                {
                    Interlocked.Increment(ref _writtenAfterFailure);
                }

                await inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _sending);
            }
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

        public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
            inner.ReceiveAsync(buffer, cancellationToken);

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
            inner.ReceiveAsync(buffer, cancellationToken);

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override void Abort() => inner.Abort();

        public override void Dispose() => inner.Dispose();
    }
}
