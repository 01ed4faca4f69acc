using System;
using System.Buffers.Binary;

namespace SailSocket.Engine.Transports.WebSockets.Framing;

/// <summary>
/// Reads the header of a frame sent by a server (RFC 6455 §5.2), as strictly as §5 asks of a client: pure, over a span.
/// </summary>
/// <remarks>
/// <code>
/// 0                   1                   2                   3
/// |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
/// |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
/// |N|V|V|V|       |S|             |   (if payload len==126/127)   |
/// </code>
/// Rejected, with <see cref="EngineProtocolException"/> naming the byte offset in the frame and never a payload byte:
/// RSV bits set (no extension is negotiated, §5.2), a masked frame (§5.1: a server never masks), an unknown opcode
/// (§5.2), a control frame that is fragmented or longer than 125 bytes (§5.5), a 64-bit length with its top bit set (§5.2).
/// A length not written in its shortest form is accepted, as the BCL and browsers do.
/// </remarks>
internal static class WebSocketFrameReader
{
    /// <summary>The longest header a server sends: 2 bytes, 8 of extended length, no mask.</summary>
    public const int MaxHeaderLength = 10;

    /// <summary>The longest control frame payload (§5.5).</summary>
    public const int MaxControlPayloadLength = 125;

    /// <summary>Reads one frame header from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Bytes received, starting at a frame's first byte.</param>
    /// <param name="header">The header read.</param>
    /// <param name="headerLength">How many bytes of <paramref name="buffer"/> it took (2, 4 or 10).</param>
    /// <returns><see langword="false"/> when <paramref name="buffer"/> does not hold the whole header yet.</returns>
    /// <exception cref="EngineProtocolException">The header breaks RFC 6455 §5 for a frame sent to a client.</exception>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out WebSocketFrameHeader header, out int headerLength)
    {
        header = default;
        headerLength = 0;
        if (buffer.Length < 2)
        {
            return false;
        }

        var first = buffer[0];
        var second = buffer[1];
        if ((first & 0x70) != 0)
        {
            throw new EngineProtocolException($"A WebSocket frame has reserved bits set (0x{first & 0x70:X2}) but no extension was negotiated (RFC 6455 §5.2).", 0);
        }

        var opcode = (WebSocketOpcode)(first & 0x0F);
        if (opcode is not (WebSocketOpcode.Continuation or WebSocketOpcode.Text or WebSocketOpcode.Binary or WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong))
        {
            throw new EngineProtocolException($"A WebSocket frame has the unknown opcode 0x{first & 0x0F:X} (RFC 6455 §5.2).", 0);
        }

        var fin = (first & 0x80) != 0;
        if ((second & 0x80) != 0)
        {
            throw new EngineProtocolException("A WebSocket frame from the server is masked; a server must not mask (RFC 6455 §5.1).", 1);
        }

        long length = second & 0x7F;
        var isControl = (byte)opcode >= 0x8;
        if (isControl && !fin)
        {
            throw new EngineProtocolException($"A WebSocket control frame (opcode 0x{(byte)opcode:X}) is fragmented (RFC 6455 §5.5).", 0);
        }

        if (isControl && length > MaxControlPayloadLength)
        {
            throw new EngineProtocolException($"A WebSocket control frame (opcode 0x{(byte)opcode:X}) is longer than 125 bytes (RFC 6455 §5.5).", 1);
        }

        if (length == 126)
        {
            if (buffer.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(buffer.Slice(2));
            headerLength = 4;
        }
        else if (length == 127)
        {
            if (buffer.Length < 10)
            {
                return false;
            }

            var extended = BinaryPrimitives.ReadUInt64BigEndian(buffer.Slice(2));
            if (extended > long.MaxValue)
            {
                throw new EngineProtocolException("A WebSocket frame's 64-bit payload length has its most significant bit set (RFC 6455 §5.2).", 2);
            }

            length = (long)extended;
            headerLength = 10;
        }
        else
        {
            headerLength = 2;
        }

        header = new WebSocketFrameHeader(fin, opcode, length);
        return true;
    }
}
