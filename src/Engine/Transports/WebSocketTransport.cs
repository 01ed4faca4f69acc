using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine.Protocol;
using SailSocket.Engine.Transports.WebSockets;

namespace SailSocket.Engine.Transports;

/// <summary>
/// Moves whole Engine.IO messages over one WebSocket: one Engine.IO packet per WebSocket message (docs/protocol.md §2.5).
/// It reassembles fragments, never looks inside the bytes, and serialises senders.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Receive: one reader at a time. An idle connection holds no buffer: a zero-byte receive waits for data, and the
/// buffer is rented only when a message starts. The returned memory is valid until the next receive.</item>
/// <item>Send: any number of concurrent callers; a <see cref="SendQueue"/> writes their messages one at a time (a WebSocket
/// allows one send at a time) without allocating. The caller's token only bounds the wait in the queue: a token passed to the
/// WebSocket itself would abort the socket.</item>
/// </list>
/// </remarks>
internal sealed class WebSocketTransport : IEngineTransport, ISendTarget
{
    /// <summary>The type byte that starts a binary message on revision 3 (docs/protocol.md §2.5).</summary>
    private static readonly ReadOnlyMemory<byte> s_v3BinaryType = new byte[] { 0x04 };

    /// <summary>First buffer rented for a message; most Sails replies fit. Grows by doubling up to the size limit.</summary>
    private const int InitialReceiveBufferSize = 4096;

    private readonly WebSocket _webSocket;
    private readonly ArrayPool<byte> _pool;
    private readonly int _maxMessageSize;
    private readonly SendQueue _sendQueue;
    private readonly EngineRevision _revision;

    /// <summary>The stream under a managed WebSocket, which gathers a batch's frames into one write; <see langword="null"/> under <see cref="ClientWebSocket"/>.</summary>
    private readonly CoalescingStream? _stream;

    /// <summary>The managed WebSocket over <see cref="_stream"/>, which flushes a batch under its send lock; <see langword="null"/> otherwise.</summary>
    private readonly OwnedWebSocket? _owned;

    /// <summary>The gather <see cref="WriteStaleBatch"/> saw open at the previous tick; 0 for none. Only the timer's tick touches it.</summary>
    private int _gatherSeen;

    /// <summary>The buffer holding the message last handed out; returned to the pool at the next receive.</summary>
    private byte[]? _receiveBuffer;

    public WebSocketTransport(WebSocket webSocket, ArrayPool<byte> pool, int maxMessageSize, EngineRevision revision = EngineRevision.V4, CoalescingStream? stream = null)
    {
        // Batches only under the managed WebSocket over that stream, which writes them under its send lock.
        _owned = stream is null ? null : webSocket as OwnedWebSocket;
        _stream = _owned is null ? null : stream;
        _revision = revision;
        _webSocket = webSocket;
        _pool = pool;
        _maxMessageSize = maxMessageSize;
        _sendQueue = new SendQueue(this);
    }

    public string Name => "websocket";

    /// <summary>
    /// Turns a failed send's error into what its sender sees (set by the connection once it uses this transport);
    /// <see langword="null"/>: errors as they are.
    /// </summary>
    public ISendErrorMap? MapSendError
    {
        get => _sendQueue.MapError;
        set => _sendQueue.MapError = value;
    }

    /// <summary>The WebSocket underneath.</summary>
    public WebSocket WebSocket => _webSocket;

    /// <summary>Receives the next whole message.</summary>
    /// <exception cref="EngineConnectionException">The message exceeds the size limit.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TransportMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        ReleaseReceiveBuffer();
        var first = await _webSocket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return TransportMessage.Closed;
        }

        var isBinary = first.MessageType == WebSocketMessageType.Binary;
        if (first.EndOfMessage)
        {
            if (isBinary && _revision == EngineRevision.V3)
            {
                throw new EngineProtocolException("Empty binary message: on revision 3 it must start with the type byte 0x04.", 0);
            }

            return new TransportMessage(isBinary, ReadOnlyMemory<byte>.Empty);
        }

        var buffer = _pool.Rent(InitialReceiveBufferSize);
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    buffer = Grow(buffer, count);
                }

                var result = await _webSocket.ReceiveAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _pool.Return(buffer);
                    return TransportMessage.Closed;
                }

                count += result.Count;
                if (count > _maxMessageSize)
                {
                    throw TooLarge();
                }

                if (result.EndOfMessage)
                {
                    var start = 0;
                    if (isBinary && _revision == EngineRevision.V3)
                    {
                        if (count == 0 || buffer[0] != 0x04)
                        {
                            throw new EngineProtocolException($"A revision-3 binary message must start with the type byte 0x04, not 0x{(count == 0 ? 0 : buffer[0]):X2}.", 0);
                        }

                        start = 1;
                    }

                    _receiveBuffer = buffer;
                    return new TransportMessage(isBinary, buffer.AsMemory(start, count - start));
                }
            }
        }
        catch
        {
            if (!ReferenceEquals(_receiveBuffer, buffer))
            {
                _pool.Return(buffer);
            }

            throw;
        }
    }

    /// <summary>Sends one text message and, right after it, binary messages (Socket.IO attachments), in turn with other senders.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary, long deadline, CancellationToken cancellationToken) =>
        _sendQueue.SendAsync(text, binary, deadline, cancellationToken);

    /// <summary>Whether the socket has stopped taking data (<see cref="SendQueue.IsStalled"/>).</summary>
    public bool IsSendStalled(long now, long sendTimeout) => _sendQueue.IsStalled(now, sendTimeout);

    /// <summary>Whether queued messages can leave in one network write: on a managed WebSocket only.</summary>
    public bool CanBatch => _stream is not null;

    /// <summary>Gathers the frames written until <see cref="EndBatchAsync"/>.</summary>
    public void BeginBatch() => _stream?.Cork();

    /// <summary>Writes the gathered frames in one write.</summary>
    public ValueTask EndBatchAsync() => FlushBatchAsync();

    /// <summary>Gathers the calling thread's frames (<see cref="CoalescingStream.BeginGather"/>): on a managed WebSocket only.</summary>
    public bool BeginSendBatch() => _stream is not null && _stream.BeginGather();

    /// <summary>Writes what the calling thread gathered, in one write under the send lock; a failed write aborts the socket.</summary>
    public void EndSendBatch()
    {
        if (_stream is null)
        {
            return;
        }

        _stream.EndGather();
        WriteGathered();
    }

    public void OnTick()
    {
        WriteStaleBatch();
        _stream?.ReceiveThread?.OnTick();
    }

    /// <summary>Writes what a batch open since the previous tick gathered: its thread is held up in a caller's code.</summary>
    internal void WriteStaleBatch()
    {
        if (_stream is null)
        {
            return;
        }

        var seen = _gatherSeen;
        _gatherSeen = _stream.GatherThread == 0 ? 0 : _stream.GatherGeneration;
        if (seen != 0 && seen == _gatherSeen)
        {
            WriteGathered();
        }
    }

    private void WriteGathered()
    {
        var write = _owned!.WriteGatheredAsync(endBatch: false);
        if (write.IsCompletedSuccessfully)
        {
            write.GetAwaiter().GetResult();
            return;
        }

        _ = AbortOnFailureAsync(write);
    }

    /// <summary>The gathered frames' senders have completed: a write that fails breaks the connection, which the reader reports.</summary>
    private async Task AbortOnFailureAsync(ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Reported through the connection: the receive fails once the socket is aborted.
        catch (Exception)
#pragma warning restore CA1031
        {
            Abort();
        }
    }

    /// <summary>Writes one message and its attachments; <see cref="_sendQueue"/> calls it one at a time.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary) =>
        binary is null
            // CancellationToken.None: cancelling a WebSocket send aborts the socket.
            ? _webSocket.SendAsync(text, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None)
            : WriteWithAttachmentsAsync(text, binary);

    private async ValueTask WriteWithAttachmentsAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>> binary)
    {
        // A message and its attachments are one batch of their own, unless they are part of a larger one.
        var own = _stream is { IsCorked: false };
        if (own)
        {
            _stream!.Cork();
        }

        await WriteFramesAsync(text, binary).ConfigureAwait(false);
        if (own)
        {
            await FlushBatchAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The gathered frames in one write: under the managed WebSocket's send lock (a pong never lands beside it).</summary>
    private ValueTask FlushBatchAsync() => _owned is null ? default : _owned.FlushBatchAsync();

    private async ValueTask WriteFramesAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>> binary)
    {
        await _webSocket.SendAsync(text, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        for (var i = 0; i < binary.Count; i++)
        {
            if (_revision == EngineRevision.V3)
            {
                // The type byte as a first fragment: no copy of the attachment.
                await _webSocket.SendAsync(s_v3BinaryType, WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None).ConfigureAwait(false);
            }

            await _webSocket.SendAsync(binary[i], WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the WebSocket closing handshake, bounded by <paramref name="timeout"/> on <paramref name="clock"/> and by
    /// <paramref name="cancellationToken"/>, then aborts.</summary>
    public async ValueTask CloseAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        if ((_webSocket.State is WebSocketState.Open or WebSocketState.CloseReceived) && !cancellationToken.IsCancellationRequested)
        {
            using var bound = new CancellationTokenSource(timeout, clock);
            using var stop = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), bound);
            try
            {
                await _sendQueue.AcquireAsync(bound.Token).ConfigureAwait(false);
                try
                {
                    await _webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, bound.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendQueue.Release();
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                // Closing is best effort: the socket is aborted below either way.
            }
        }

        Abort();
    }

    /// <summary>Aborts the WebSocket: pending receives and sends fail at once.</summary>
    public void Abort() => _webSocket.Abort();

    public void Dispose()
    {
        _webSocket.Dispose();
    }

    /// <summary>Returns the buffer of the last message to the pool. Only the reader calls this, or dispose after the reader ended.</summary>
    public void ReleaseReceiveBuffer()
    {
        var buffer = _receiveBuffer;
        if (buffer is not null)
        {
            _receiveBuffer = null;
            _pool.Return(buffer);
        }
    }

    private byte[] Grow(byte[] buffer, int count)
    {
        if (count >= _maxMessageSize)
        {
            throw TooLarge();
        }

        var larger = _pool.Rent((int)Math.Min((long)buffer.Length * 2, _maxMessageSize + 1L));
        buffer.AsSpan(0, count).CopyTo(larger);
        _pool.Return(buffer);
        return larger;
    }

    private EngineConnectionException TooLarge() =>
        new(EngineConnectionError.MessageTooLarge, $"The server sent a message larger than the limit of {_maxMessageSize} bytes (EngineOptions.MaxMessageSize).");
}
