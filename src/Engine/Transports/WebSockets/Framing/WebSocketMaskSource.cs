using System;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SailSocket.Engine.Transports.WebSockets.Framing;

/// <summary>
/// Mask keys for client frames (RFC 6455 §5.3: "derived from a strong source of entropy"), taken four bytes at a time from
/// a per-thread block filled by <see cref="RandomNumberGenerator.Fill"/>.
/// </summary>
/// <remarks>
/// The BCL WebSocket calls the CSPRNG once per frame (OpenSSL's DRBG plus a <c>getpid</c> on Linux): 5.8 % of the load
/// tool's client CPU in a profile (issue 18). One call per <see cref="BlockSize"/> / 4 frames draws from the same source.
/// The block lives per thread (no lock) and is not tied to a socket, so an idle socket holds none of it.
/// </remarks>
internal static class WebSocketMaskSource
{
    /// <summary>Random bytes drawn at once: 128 mask keys.</summary>
    internal const int BlockSize = 512;

    [ThreadStatic]
    private static byte[]? s_block;

    /// <summary>The offset of the next unused key in <see cref="s_block"/>.</summary>
    [ThreadStatic]
    private static int s_next;

    /// <summary>The next mask key, its first byte in the low 8 bits.</summary>
    public static uint Next()
    {
        var block = s_block;
        var next = s_next;
        if (block is null)
        {
            block = s_block = new byte[BlockSize];
            next = BlockSize;
        }

        if (next >= BlockSize)
        {
            RandomNumberGenerator.Fill(block);
            next = 0;
        }

        s_next = next + 4;
        return BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(next));
    }
}
