using System;
using System.Buffers.Binary;

namespace SailSocket.Engine.Transports.WebSockets.Framing;

/// <summary>Writes the header of a frame a client sends (RFC 6455 §5.2): the length in its shortest form, then the mask key.</summary>
internal static class WebSocketFrameWriter
{
    /// <summary>The longest header a client writes: 2 bytes, 8 of extended length, 4 of mask key.</summary>
    public const int MaxHeaderLength = 14;

    /// <summary>The length of the header <see cref="WriteHeader"/> writes for <paramref name="payloadLength"/>.</summary>
    public static int HeaderLength(long payloadLength, bool masked) =>
        (payloadLength <= 125 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10) + (masked ? 4 : 0);

    /// <summary>Writes a frame header into <paramref name="destination"/> (at least <see cref="MaxHeaderLength"/> bytes).</summary>
    /// <param name="destination">Where the header goes.</param>
    /// <param name="fin">Whether the frame ends its message.</param>
    /// <param name="opcode">The frame's opcode.</param>
    /// <param name="payloadLength">The payload length (0 to <see cref="long.MaxValue"/>).</param>
    /// <param name="masked">Whether the mask bit and key are written (a client always masks, §5.3).</param>
    /// <param name="maskKey">The mask key, its first byte in the low 8 bits (the order <see cref="WebSocketMask.Apply"/> uses).</param>
    /// <returns>The header length.</returns>
    public static int WriteHeader(Span<byte> destination, bool fin, WebSocketOpcode opcode, long payloadLength, bool masked, uint maskKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        destination[0] = (byte)((fin ? 0x80 : 0) | (byte)opcode);
        var maskBit = masked ? 0x80 : 0;
        int length;
        if (payloadLength <= 125)
        {
            destination[1] = (byte)(maskBit | (int)payloadLength);
            length = 2;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), (ushort)payloadLength);
            length = 4;
        }
        else
        {
            destination[1] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(2), (ulong)payloadLength);
            length = 10;
        }

        if (masked)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(length), maskKey);
            length += 4;
        }

        return length;
    }
}
