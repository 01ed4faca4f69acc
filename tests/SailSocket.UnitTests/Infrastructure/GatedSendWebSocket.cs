using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>One held send: <see cref="Entered"/> when the write starts, finished (or failed) through <see cref="Release"/>.</summary>
internal sealed class SendGate
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A WebSocket that can hold its next send until the test releases or fails it; otherwise the inner socket.</summary>
internal sealed class GatedSendWebSocket(WebSocket inner) : WebSocket
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
