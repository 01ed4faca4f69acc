using System;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine.Transports.WebSockets.Framing;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>The receive side: frame headers, control frames, payload handed out into the caller's buffer.</summary>
internal sealed partial class OwnedWebSocket
{
    /// <summary>
    /// Bytes read ahead from the stream to find a frame header: the header (at most 10 bytes from a server) and whatever
    /// followed it in the same read, handed out before the stream is read again. 16 bytes, so the idle socket's only
    /// buffer stays small; the payload goes straight from the stream (served by the <see cref="CoalescingStream"/>'s read
    /// buffer while bytes wait) into the caller's buffer.
    /// </summary>
    private readonly byte[] _lookahead = new byte[16];
    private int _lookaheadStart;
    private int _lookaheadEnd;

    /// <summary>Whether a data frame's header has been read and its payload (<see cref="_payloadRemaining"/> bytes) not all handed out.</summary>
    private bool _inDataFrame;
    private long _payloadRemaining;

    /// <summary>Whether the data frame being read ends its message.</summary>
    private bool _frameFin;

    /// <summary>The type of the message being read (set by its first frame).</summary>
    private WebSocketMessageType _messageType;

    private WebSocketMessageSequence _sequence;
    private Utf8MessageValidator _utf8;

    /// <summary>
    /// Receives the next piece of a message, as the BCL's WebSocket does: a zero-byte <paramref name="buffer"/> waits until
    /// a data frame's header is there (without a buffer while the socket is idle) and returns a count of 0 with the
    /// message type, <c>EndOfMessage</c> set only for an empty final frame; otherwise at least one payload byte (or an empty
    /// final frame), never past the end of the frame. Pings are answered and pongs skipped on the way; a close frame
    /// returns <see cref="WebSocketMessageType.Close"/> (after answering it with a close frame when the socket is free).
    /// </summary>
    /// <exception cref="EngineProtocolException">The server broke RFC 6455 (the socket is then aborted).</exception>
    /// <exception cref="WebSocketException">The connection ended without a close frame, or the socket is not open.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the socket is then aborted), or the socket was aborted.</exception>
    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var state = State;
        if (state is not (WebSocketState.Open or WebSocketState.CloseSent) || _closeReceived)
        {
            return ValueTask.FromException<ValueWebSocketReceiveResult>(InvalidState(state, "receive"));
        }

        return ReceiveCoreAsync(buffer, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ValueWebSocketReceiveResult> ReceiveCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            while (!_inDataFrame)
            {
                var header = await ReadHeaderAsync(waitWithoutBuffer: buffer.IsEmpty, cancellationToken).ConfigureAwait(false);
                if (header.IsControl)
                {
                    if (await ReceiveControlAsync(header, cancellationToken).ConfigureAwait(false))
                    {
                        return new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, endOfMessage: true);
                    }

                    continue;
                }

                var opcode = _sequence.Accept(header);
                if (header.Opcode != WebSocketOpcode.Continuation)
                {
                    _messageType = opcode == WebSocketOpcode.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                    _utf8.Reset();
                }

                _frameFin = header.Fin;
                if (header.PayloadLength == 0)
                {
                    if (header.Fin && _messageType == WebSocketMessageType.Text && !_utf8.Append(default, final: true))
                    {
                        throw InvalidUtf8();
                    }

                    return new ValueWebSocketReceiveResult(0, _messageType, header.Fin);
                }

                _payloadRemaining = header.PayloadLength;
                _inDataFrame = true;
            }

            if (buffer.IsEmpty)
            {
                return new ValueWebSocketReceiveResult(0, _messageType, endOfMessage: false);
            }

            var wanted = (int)Math.Min(buffer.Length, _payloadRemaining);
            var count = TakeLookahead(buffer.Span.Slice(0, wanted));
            if (count < wanted)
            {
                // One read for the rest: at once from the CoalescingStream's buffer when the frame came in one piece (the
                // usual case), else it waits for the frame's next bytes, which the sender has already put on the way.
                var read = await _stream.ReadAsync(buffer.Slice(count, wanted - count), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw Premature();
                }

                count += read;
            }

            _payloadRemaining -= count;
            var frameDone = _payloadRemaining == 0;
            if (_messageType == WebSocketMessageType.Text && !_utf8.Append(buffer.Span.Slice(0, count), final: frameDone && _frameFin))
            {
                throw InvalidUtf8();
            }

            if (frameDone)
            {
                _inDataFrame = false;
            }

            return new ValueWebSocketReceiveResult(count, _messageType, frameDone && _frameFin);
        }
        catch (EngineProtocolException ex)
        {
            Fail(ex.Data.Contains(InvalidPayloadKey) ? WebSocketCloseStatus.InvalidPayloadData : WebSocketCloseStatus.ProtocolError);
            throw;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            Abort();
            throw new OperationCanceledException(ex.Message, ex, cancellationToken);
        }
        catch (WebSocketException)
        {
            Abort();
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = ConnectionError(ex);
            Abort();
            throw error;
        }
    }

    /// <summary>Reads the next frame header, first waiting with a zero-byte read when asked and nothing is buffered.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<WebSocketFrameHeader> ReadHeaderAsync(bool waitWithoutBuffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var available = _lookahead.AsSpan(_lookaheadStart, _lookaheadEnd - _lookaheadStart);
            if (WebSocketFrameReader.TryRead(available, out var header, out var headerLength))
            {
                _lookaheadStart += headerLength;
                return header;
            }

            if (_lookaheadStart > 0)
            {
                available.CopyTo(_lookahead);
                _lookaheadEnd = available.Length;
                _lookaheadStart = 0;
            }

            if (waitWithoutBuffer && _lookaheadEnd == 0)
            {
                // Waits for data without a buffer: an idle socket holds none (the stream passes it to the network).
                await _stream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            }

            var read = await _stream.ReadAsync(_lookahead.AsMemory(_lookaheadEnd), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw Premature();
            }

            _lookaheadEnd += read;
        }
    }

    /// <summary>Reads a control frame's payload and acts on it; returns whether it was a close frame.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReceiveControlAsync(WebSocketFrameHeader header, CancellationToken cancellationToken)
    {
        var length = (int)header.PayloadLength;
        var payload = _pool.Rent(Math.Max(length, 1));
        try
        {
            var have = TakeLookahead(payload.AsSpan(0, length));
            while (have < length)
            {
                var read = await _stream.ReadAsync(payload.AsMemory(have, length - have), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw Premature();
                }

                have += read;
            }

            switch (header.Opcode)
            {
                case WebSocketOpcode.Ping:
                    await SendPongAsync(payload.AsMemory(0, length)).ConfigureAwait(false);
                    return false;
                case WebSocketOpcode.Pong:
                    // Unsolicited or not, a pong needs no answer (§5.5.3); the client sends no pings (Engine.IO has its own).
                    return false;
                default:
                    WebSocketClosePayload.Read(payload.AsSpan(0, length), out var status, out var reason);
                    _closeStatus = status;
                    _closeStatusDescription = reason.IsEmpty ? (status is null ? null : string.Empty) : Encoding.UTF8.GetString(reason);
                    OnClose(sent: false);
                    if (!_closeSent)
                    {
                        await AnswerCloseAsync(status).ConfigureAwait(false);
                    }

                    return true;
            }
        }
        finally
        {
            _pool.Return(payload);
        }
    }

    /// <summary>Hands out payload bytes read ahead with the header; returns how many.</summary>
    private int TakeLookahead(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _lookaheadEnd - _lookaheadStart);
        if (count > 0)
        {
            _lookahead.AsSpan(_lookaheadStart, count).CopyTo(destination);
            _lookaheadStart += count;
        }

        return count;
    }

    private static WebSocketException Premature() =>
        new(WebSocketError.ConnectionClosedPrematurely, "The server closed the connection without completing the WebSocket close handshake.");

    /// <summary>Marks an <see cref="EngineProtocolException"/> whose close code is 1007 (invalid payload data) rather than 1002.</summary>
    private const string InvalidPayloadKey = "SailSocket.WebSocket.InvalidPayload";

    private static EngineProtocolException InvalidUtf8()
    {
        var error = new EngineProtocolException("A WebSocket text message is not valid UTF-8 (RFC 6455 §8.1).", 0);
        error.Data[InvalidPayloadKey] = true;
        return error;
    }
}
