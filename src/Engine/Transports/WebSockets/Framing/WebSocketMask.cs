using System;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SailSocket.Engine.Transports.WebSockets.Framing;

/// <summary>The client-to-server masking of RFC 6455 §5.3: byte <c>i</c> of the payload XOR byte <c>i mod 4</c> of the key.</summary>
internal static class WebSocketMask
{
    /// <summary>
    /// XORs <paramref name="data"/> in place with <paramref name="maskKey"/>, <paramref name="data"/> starting at payload
    /// offset <paramref name="payloadOffset"/> (so a payload masked in pieces gets the same bytes as masked whole).
    /// </summary>
    /// <param name="data">Payload bytes.</param>
    /// <param name="maskKey">The key, its first byte (the one written first on the wire) in the low 8 bits.</param>
    /// <param name="payloadOffset">The offset of <paramref name="data"/>'s first byte in the frame's payload.</param>
    public static void Apply(Span<byte> data, uint maskKey, long payloadOffset)
    {
        // The key as it applies to data[0]: rotated so that its byte (payloadOffset mod 4) comes first.
        var key = BitOperations.RotateRight(maskKey, (int)(payloadOffset & 3) * 8);
        var i = 0;
        if (Vector.IsHardwareAccelerated && data.Length >= Vector<byte>.Count)
        {
            // Vector<byte>.Count is a multiple of 4, so the key keeps its phase from one vector to the next.
            var keys = Vector.AsVectorByte(new Vector<uint>(key));
            var vectors = MemoryMarshal.Cast<byte, Vector<byte>>(data);
            for (var v = 0; v < vectors.Length; v++)
            {
                vectors[v] ^= keys;
            }

            i = vectors.Length * Vector<byte>.Count;
        }

        var wide = key | ((ulong)key << 32);
        for (; i + 8 <= data.Length; i += 8)
        {
            var slot = data.Slice(i, 8);
            BinaryPrimitives.WriteUInt64LittleEndian(slot, BinaryPrimitives.ReadUInt64LittleEndian(slot) ^ wide);
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= (byte)(key >> ((i & 3) * 8));
        }
    }
}
