using System;
using System.Buffers;
using System.Buffers.Text;

namespace SailSocket.Engine.Protocol;

/// <summary>Writes Engine.IO packets into an HTTP long-polling payload (a POST body). Pure: no I/O, no state.</summary>
/// <remarks>
/// Grammar (docs/protocol.md §2.4): revision 4 joins packets with 0x1E; revision 3 prefixes each packet with its length in
/// UTF-16 code units and <c>:</c>. Binary data travels as base64 text (<see cref="EngineBinaryPacket"/>): this client
/// never sends the revision-3 octet-stream format, and revision 4 refuses it.
/// </remarks>
internal static class EnginePayloadWriter
{
    /// <summary>How many bytes <see cref="WriteText"/> appends for a text packet.</summary>
    /// <param name="packet">The packet, type character included, in UTF-8.</param>
    /// <param name="revision">The revision.</param>
    /// <param name="first">Whether it is the first packet of the payload (revision 4 puts a separator before every other one).</param>
    /// <returns>The encoded size.</returns>
    public static int GetTextLength(ReadOnlySpan<byte> packet, EngineRevision revision, bool first) =>
        revision == EngineRevision.V4
            ? packet.Length + (first ? 0 : 1)
            : packet.Length + DigitCount(CountUtf16(packet)) + 1;

    /// <summary>How many bytes <see cref="WriteBinary"/> appends for binary data.</summary>
    /// <param name="dataLength">The binary data length.</param>
    /// <param name="revision">The revision.</param>
    /// <param name="first">Whether it is the first packet of the payload.</param>
    /// <returns>The encoded size.</returns>
    public static int GetBinaryLength(int dataLength, EngineRevision revision, bool first)
    {
        var encoded = EngineBinaryPacket.GetEncodedLength(dataLength, revision);
        return revision == EngineRevision.V4 ? encoded + (first ? 0 : 1) : encoded + DigitCount(encoded) + 1;
    }

    /// <summary>Appends a text packet.</summary>
    /// <param name="output">The payload being written.</param>
    /// <param name="packet">The packet, type character included, in UTF-8.</param>
    /// <param name="revision">The revision.</param>
    /// <param name="first">Whether it is the first packet of the payload.</param>
    public static void WriteText(IBufferWriter<byte> output, ReadOnlySpan<byte> packet, EngineRevision revision, bool first)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (revision == EngineRevision.V4)
        {
            WriteSeparator(output, first);
        }
        else
        {
            WriteLength(output, CountUtf16(packet));
        }

        var span = output.GetSpan(packet.Length);
        packet.CopyTo(span);
        output.Advance(packet.Length);
    }

    /// <summary>Appends binary data as a base64 packet.</summary>
    /// <param name="output">The payload being written.</param>
    /// <param name="data">The binary data.</param>
    /// <param name="revision">The revision.</param>
    /// <param name="first">Whether it is the first packet of the payload.</param>
    public static void WriteBinary(IBufferWriter<byte> output, ReadOnlySpan<byte> data, EngineRevision revision, bool first)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (revision == EngineRevision.V4)
        {
            WriteSeparator(output, first);
        }
        else
        {
            WriteLength(output, EngineBinaryPacket.GetEncodedLength(data.Length, revision));
        }

        EngineBinaryPacket.Write(output, data, revision);
    }

    /// <summary>Counts the UTF-16 code units of UTF-8 text (what JavaScript's <c>string.length</c> gives).</summary>
    /// <param name="utf8">Well-formed UTF-8.</param>
    /// <returns>The count: one per character, two for a character outside the Basic Multilingual Plane.</returns>
    public static int CountUtf16(ReadOnlySpan<byte> utf8)
    {
        var count = 0;
        foreach (var b in utf8)
        {
            // Every byte that is not a continuation byte starts a character; a four-byte lead starts a surrogate pair.
            if ((b & 0xC0) != 0x80)
            {
                count += b >= 0xF0 ? 2 : 1;
            }
        }

        return count;
    }

    private static void WriteSeparator(IBufferWriter<byte> output, bool first)
    {
        if (!first)
        {
            output.GetSpan(1)[0] = EnginePayloadReader.RecordSeparator;
            output.Advance(1);
        }
    }

    private static void WriteLength(IBufferWriter<byte> output, int length)
    {
        var span = output.GetSpan(12);
        Utf8Formatter.TryFormat(length, span, out var written);
        span[written] = (byte)':';
        output.Advance(written + 1);
    }

    private static int DigitCount(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}
