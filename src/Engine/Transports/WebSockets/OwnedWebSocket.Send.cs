using System;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine.Transports.WebSockets.Framing;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>The send side: data frames, close, and the control frames the receive side answers with.</summary>
internal sealed partial class OwnedWebSocket
{
    /// <summary>
    /// Payload bytes masked and written per write: a frame's header and its payload go in one write up to this size (a
    /// Sails request is a few hundred bytes), and a larger payload follows in pieces of this size through the same
    /// rented buffer, so a send never rents more than 16 KiB + 14 bytes (a TLS record holds 16 KiB).
    /// </summary>
    internal const int SendChunkSize = 16 * 1024;

    /// <summary>Whether the last data frame sent did not end its message: the next one is a continuation.</summary>
    private bool _sendContinues;

    /// <summary>
    /// A pong the receive side could not write at once (the send lock was held, or a batch was being gathered); the next
    /// send writes it first. Set and taken with <see cref="Interlocked.Exchange{T}(ref T, T)"/>: the receive side sets it
    /// without the lock (only the latest ping needs an answer, RFC 6455 §5.5.3).
    /// </summary>
    private byte[]? _pendingPong;

    /// <summary>
    /// Sends one frame of a message: header and masked payload in one write (in pieces beyond <see cref="SendChunkSize"/>),
    /// with a buffer rented for the write. A frame after one without <paramref name="endOfMessage"/> is a continuation.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="messageType"/> is <see cref="WebSocketMessageType.Close"/> (use <see cref="CloseOutputAsync"/>).</exception>
    /// <exception cref="WebSocketException">The socket is not open for sending, or the connection broke.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the socket is then aborted), or the socket was aborted.</exception>
    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        if (messageType is not (WebSocketMessageType.Text or WebSocketMessageType.Binary))
        {
            return ValueTask.FromException(new ArgumentException("Only text and binary messages are sent with SendAsync; close with CloseOutputAsync.", nameof(messageType)));
        }

        var state = State;
        if (state is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return ValueTask.FromException(InvalidState(state, "send"));
        }

        return SendCoreAsync(buffer, messageType == WebSocketMessageType.Text ? WebSocketOpcode.Text : WebSocketOpcode.Binary, endOfMessage, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendCoreAsync(ReadOnlyMemory<byte> payload, WebSocketOpcode opcode, bool endOfMessage, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WritePendingPongAsync(cancellationToken).ConfigureAwait(false);
            var frameOpcode = _sendContinues ? WebSocketOpcode.Continuation : opcode;
            _sendContinues = !endOfMessage;
            await WriteFrameAsync(frameOpcode, endOfMessage, payload, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (SendError(ex, cancellationToken) is { } error)
            {
                throw error;
            }

            throw;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Writes the frames the send queue gathered since <see cref="CoalescingStream.Cork"/> in one write, holding the send
    /// lock, so that no pong or close answer of the receive side can be written beside the batch; a pong kept while the
    /// batch was gathered goes out at its end. Nothing to do over a stream that does not gather.
    /// </summary>
    internal ValueTask FlushBatchAsync() => WriteGatheredAsync(endBatch: true);

    /// <summary>
    /// Writes what a thread gathered (<see cref="CoalescingStream.BeginGather"/>) in one write, under the send lock, with a
    /// kept pong behind it; <paramref name="endBatch"/> also ends the send queue's batch (<see cref="FlushBatchAsync"/>).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask WriteGatheredAsync(bool endBatch)
    {
        if (_coalescing is null)
        {
            return;
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await WritePendingPongAsync(CancellationToken.None).ConfigureAwait(false);
            if (endBatch)
            {
                await _coalescing.FlushBatchAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await _coalescing.WriteGatheredAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Writes the pong kept for the next write (<see cref="SendPongAsync"/>), if any and no close went out; the caller holds <see cref="_sendLock"/>.</summary>
    private ValueTask WritePendingPongAsync(CancellationToken cancellationToken) =>
        _pendingPong is not null && !_closeSent && Interlocked.Exchange(ref _pendingPong, null) is { } pong
            ? WriteFrameAsync(WebSocketOpcode.Pong, fin: true, pong, cancellationToken)
            : default;

    /// <summary>Writes one masked frame; the caller holds <see cref="_sendLock"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteFrameAsync(WebSocketOpcode opcode, bool fin, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var length = payload.Length;
        var first = Math.Min(length, SendChunkSize);
        var buffer = _pool.Rent(WebSocketFrameWriter.MaxHeaderLength + first);
        try
        {
            var key = WebSocketMaskSource.Next();
            var headerLength = WebSocketFrameWriter.WriteHeader(buffer, fin, opcode, length, masked: true, key);
            payload.Span.Slice(0, first).CopyTo(buffer.AsSpan(headerLength));
            WebSocketMask.Apply(buffer.AsSpan(headerLength, first), key, 0);
            await _stream.WriteAsync(buffer.AsMemory(0, headerLength + first), cancellationToken).ConfigureAwait(false);
            for (var offset = first; offset < length;)
            {
                var count = Math.Min(SendChunkSize, length - offset);
                payload.Span.Slice(offset, count).CopyTo(buffer);
                WebSocketMask.Apply(buffer.AsSpan(0, count), key, offset);
                await _stream.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                offset += count;
            }
        }
        finally
        {
            _pool.Return(buffer);
        }
    }

    /// <summary>
    /// Sends a close frame with <paramref name="closeStatus"/> and <paramref name="statusDescription"/> (at most 123 UTF-8
    /// bytes); the socket may still receive. Nothing is sent when a close frame already was.
    /// </summary>
    /// <exception cref="ArgumentException">A status that may not be sent (RFC 6455 §7.4), or a description too long or without a status.</exception>
    /// <exception cref="WebSocketException">The socket is aborted or closed, or the connection broke.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the socket is then aborted).</exception>
    public override async Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        byte[]? reason = null;
        if (closeStatus == WebSocketCloseStatus.Empty)
        {
            if (!string.IsNullOrEmpty(statusDescription))
            {
                throw new ArgumentException("A close description needs a status code.", nameof(statusDescription));
            }
        }
        else
        {
            if (!WebSocketClosePayload.IsValidStatus((int)closeStatus))
            {
                throw new ArgumentException($"The close status {(int)closeStatus} may not be sent (RFC 6455 §7.4).", nameof(closeStatus));
            }

            reason = Encoding.UTF8.GetBytes(statusDescription ?? string.Empty);
            if (reason.Length > WebSocketClosePayload.MaxReasonLength)
            {
                throw new ArgumentException($"A close description takes at most {WebSocketClosePayload.MaxReasonLength} UTF-8 bytes.", nameof(statusDescription));
            }
        }

        var state = State;
        if (state is not (WebSocketState.Open or WebSocketState.CloseReceived or WebSocketState.CloseSent))
        {
            throw InvalidState(state, "close");
        }

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                return;
            }

            await WriteCloseAsync(reason is null ? null : closeStatus, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (SendError(ex, cancellationToken) is { } error)
            {
                throw error;
            }

            throw;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Writes a close frame and records it; the caller holds <see cref="_sendLock"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteCloseAsync(WebSocketCloseStatus? status, ReadOnlyMemory<byte> reason, CancellationToken cancellationToken)
    {
        var payload = new byte[status is null ? 0 : 2 + reason.Length];
        if (status is { } code)
        {
            WebSocketClosePayload.Write(payload, code, reason.Span);
        }

        await WriteFrameAsync(WebSocketOpcode.Close, fin: true, payload, cancellationToken).ConfigureAwait(false);
        if (_coalescing is not null)
        {
            // A close from a thread that gathers its writes leaves now, with what that thread gathered before it.
            await _coalescing.WriteGatheredAsync(cancellationToken).ConfigureAwait(false);
        }

        OnClose(sent: true);
    }

    /// <summary>
    /// Answers a ping from the receive side. Written at once when the send lock is free and no batch is being gathered;
    /// otherwise kept for the end of the batch (<see cref="FlushBatchAsync"/>) or the next send, whichever takes the lock
    /// first. Under Engine.IO something is sent at least every ping interval, which bounds the wait; Engine.IO servers do
    /// not send WebSocket pings at all (docs/protocol.md §2.5).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendPongAsync(ReadOnlyMemory<byte> payload)
    {
        var pong = payload.ToArray();
        if (!_sendLock.Wait(0))
        {
            Volatile.Write(ref _pendingPong, pong);
            return;
        }

        try
        {
            if (_coalescing is { IsCorked: true })
            {
                Volatile.Write(ref _pendingPong, pong);
                return;
            }

            Interlocked.Exchange(ref _pendingPong, null);
            await WriteFrameAsync(WebSocketOpcode.Pong, fin: true, pong, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Answers a server's close frame with one carrying the same status (RFC 6455 §5.5.1) when the socket is free at once;
    /// otherwise the transport's close (<see cref="CloseOutputAsync"/>, state <see cref="WebSocketState.CloseReceived"/>)
    /// answers it. Best effort: the close is reported either way.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AnswerCloseAsync(WebSocketCloseStatus? status)
    {
        if (_coalescing is { IsCorked: true } || !_sendLock.Wait(0))
        {
            return;
        }

        try
        {
            if (!_closeSent)
            {
                await WriteCloseAsync(status, ReadOnlyMemory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Best effort: the server has closed; the close is reported to the reader either way.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Fails the connection after a protocol violation (RFC 6455 §7.1.7): a close frame with <paramref name="status"/> when
    /// the send lock is free at once (not awaited), then abort.
    /// </summary>
    private void Fail(WebSocketCloseStatus status)
    {
        if (!_closeSent && _coalescing is not { IsCorked: true } && _sendLock.Wait(0))
        {
            try
            {
                var frame = new byte[WebSocketFrameWriter.MaxHeaderLength + 2];
                var key = WebSocketMaskSource.Next();
                var headerLength = WebSocketFrameWriter.WriteHeader(frame, fin: true, WebSocketOpcode.Close, 2, masked: true, key);
                WebSocketClosePayload.Write(frame.AsSpan(headerLength), status, default);
                WebSocketMask.Apply(frame.AsSpan(headerLength, 2), key, 0);
                _closeSent = true;
                Observe(_stream.WriteAsync(frame.AsMemory(0, headerLength + 2), CancellationToken.None));
            }
#pragma warning disable CA1031 // Best effort: the socket is aborted next.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
            finally
            {
                _sendLock.Release();
            }
        }

        Abort();
    }
}
