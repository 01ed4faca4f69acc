using System;
using System.Buffers;
using System.Buffers.Text;

namespace SailSocket.Engine.Protocol;

/// <summary>The base64 text form of a binary Engine.IO packet. Pure: no I/O, no state.</summary>
/// <remarks>
/// Grammar (docs/protocol.md §2.4, §2.5, §2.10): revision 4 <c>"b" base64</c>; revision 3 <c>"b4" base64</c>. The server uses
/// it in every polling payload (revision 4), on revision 3 when the client sent <c>b64=1</c> (polling and WebSocket).
/// </remarks>
internal static class EngineBinaryPacket
{
    /// <summary>Whether a text packet is the base64 form of a binary packet (its type character is <c>b</c>).</summary>
    /// <param name="packet">The packet, type character included.</param>
    /// <returns><see langword="true"/> for <c>b…</c>.</returns>
    public static bool IsBase64(ReadOnlySpan<byte> packet) => !packet.IsEmpty && packet[0] == (byte)'b';

    /// <summary>Decodes a <c>b…</c> packet into the binary message data.</summary>
    /// <param name="packet">The packet, starting with <c>b</c>.</param>
    /// <param name="revision">The revision: on 3 the <c>b</c> is followed by the type digit <c>4</c>.</param>
    /// <returns>The bytes, in a new array of the exact size.</returns>
    /// <exception cref="EngineProtocolException">The prefix is wrong or the base64 is invalid or truncated.</exception>
    public static byte[] Decode(ReadOnlySpan<byte> packet, EngineRevision revision)
    {
        var prefix = revision == EngineRevision.V3 ? 2 : 1;
        if (!IsBase64(packet))
        {
            throw new EngineProtocolException("A base64 binary packet must start with 'b'.", 0);
        }

        if (revision == EngineRevision.V3 && (packet.Length < 2 || packet[1] != (byte)'4'))
        {
            throw new EngineProtocolException("A revision-3 base64 binary packet must start with 'b4' (a binary message).", 1);
        }

        var base64 = packet[prefix..];
        var output = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        var status = Base64.DecodeFromUtf8(base64, output, out var consumed, out var written);
        if (status != OperationStatus.Done)
        {
            var reason = status == OperationStatus.NeedMoreData ? "truncated" : "invalid";
            throw new EngineProtocolException($"The base64 of a binary packet is {reason}.", prefix + consumed);
        }

        return written == output.Length ? output : output.AsSpan(0, written).ToArray();
    }

    /// <summary>The length in bytes of the base64 form of <paramref name="dataLength"/> bytes, prefix included.</summary>
    /// <param name="dataLength">The binary data length.</param>
    /// <param name="revision">The revision.</param>
    /// <returns>The encoded length.</returns>
    public static int GetEncodedLength(int dataLength, EngineRevision revision) =>
        (revision == EngineRevision.V3 ? 2 : 1) + Base64.GetMaxEncodedToUtf8Length(dataLength);

    /// <summary>Writes the base64 form of a binary message: <c>b…</c> (revision 4) or <c>b4…</c> (revision 3).</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="data">The binary data.</param>
    /// <param name="revision">The revision.</param>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> data, EngineRevision revision)
    {
        ArgumentNullException.ThrowIfNull(output);
        var length = GetEncodedLength(data.Length, revision);
        var span = output.GetSpan(length);
        span[0] = (byte)'b';
        var prefix = 1;
        if (revision == EngineRevision.V3)
        {
            span[1] = (byte)'4';
            prefix = 2;
        }

        Base64.EncodeToUtf8(data, span[prefix..], out _, out var written);
        output.Advance(prefix + written);
    }
}
