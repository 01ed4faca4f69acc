using System;
using System.Buffers;
using System.Runtime.CompilerServices;

namespace SailSocket.Engine.Protocol;

/// <summary>
/// Splits an HTTP long-polling payload (one response body) into Engine.IO packets. Pure: no I/O, no state.
/// </summary>
/// <remarks>
/// <para>Grammar (docs/protocol.md §2.4):</para>
/// <list type="bullet">
/// <item>Revision 4: <c>packet ( 0x1E packet )*</c>. A binary packet is <c>b&lt;base64&gt;</c>. JSON never holds a raw 0x1E.</item>
/// <item>Revision 3: <c>( &lt;n&gt; ":" packet )*</c> where <c>n</c> is the length of the packet in UTF-16 code units (JavaScript
/// string length: a character outside the BMP counts 2). A binary packet is <c>b4&lt;base64&gt;</c>; an empty packet
/// (<c>0:</c>) is skipped, as the server's decoder does.</item>
/// </list>
/// <para>The packets come back as slices of the payload, with their type character; binary packets still in base64
/// (see <see cref="EngineBinaryPacket"/>). Malformed input throws <see cref="EngineProtocolException"/> with the byte
/// offset in the payload.</para>
/// </remarks>
internal static class EnginePayloadReader
{
    /// <summary>The record separator between revision-4 packets.</summary>
    public const byte RecordSeparator = 0x1E;

    /// <summary>The longest length prefix accepted on revision 3: ten digits already exceed any body this client reads.</summary>
    private const int MaxLengthDigits = 10;

    /// <summary>Reads the packet at <paramref name="position"/> and moves <paramref name="position"/> past it.</summary>
    /// <param name="payload">The whole payload.</param>
    /// <param name="revision">The revision whose framing the payload uses.</param>
    /// <param name="position">Where to read; <c>payload.Start</c> for the first packet. Advanced past the packet (and its separator).</param>
    /// <param name="packet">The packet, type character included; a slice of <paramref name="payload"/>.</param>
    /// <returns><see langword="false"/> when no packet is left.</returns>
    /// <exception cref="EngineProtocolException">The payload is malformed; the message names the offset.</exception>
    public static bool TryReadPacket(in ReadOnlySequence<byte> payload, EngineRevision revision, ref SequencePosition position, out ReadOnlySequence<byte> packet)
    {
        return revision == EngineRevision.V4
            ? TryReadV4(payload, ref position, out packet)
            : TryReadV3(payload, ref position, out packet);
    }

    /// <summary>Whether a body looks like a revision-3 payload (<c>&lt;digits&gt;:</c>): how a revision-3-only server answers a revision-4 handshake.</summary>
    /// <param name="payload">The start of the body.</param>
    /// <returns><see langword="true"/> when the body starts with at least one digit followed by <c>:</c>.</returns>
    public static bool LooksLikeV3(ReadOnlySpan<byte> payload)
    {
        var digits = 0;
        while (digits < payload.Length && digits <= MaxLengthDigits && (uint)(payload[digits] - '0') <= 9)
        {
            digits++;
        }

        return digits > 0 && digits < payload.Length && payload[digits] == (byte)':';
    }

    // docs/protocol.md §2.4, revision 4: packet ( 0x1E packet )*
    private static bool TryReadV4(in ReadOnlySequence<byte> payload, ref SequencePosition position, out ReadOnlySequence<byte> packet)
    {
        var rest = payload.Slice(position);
        if (rest.IsEmpty)
        {
            packet = default;
            return false;
        }

        var separator = rest.PositionOf(RecordSeparator);
        if (separator is null)
        {
            packet = rest;
            position = rest.End;
        }
        else
        {
            packet = rest.Slice(0, separator.Value);
            var next = rest.GetPosition(1, separator.Value);
            if (payload.Slice(next).IsEmpty)
            {
                throw new EngineProtocolException("The payload ends with a record separator: the last packet is empty.", Offset(payload, separator.Value));
            }

            position = next;
        }

        if (packet.IsEmpty)
        {
            throw new EngineProtocolException("Empty packet between record separators: an Engine.IO packet needs a type character.", Offset(payload, rest.Start));
        }

        return true;
    }

    // docs/protocol.md §2.4, revision 3: ( <n> ":" packet )*, n in UTF-16 code units.
    private static bool TryReadV3(in ReadOnlySequence<byte> payload, ref SequencePosition position, out ReadOnlySequence<byte> packet)
    {
        while (true)
        {
            var rest = payload.Slice(position);
            if (rest.IsEmpty)
            {
                packet = default;
                return false;
            }

            // The usual case, and the only one for a polling body: the whole packet is in the first span.
            var first = rest.FirstSpan;
            var prefixLength = LengthPrefixInSpan(first, out var length);
            var remaining = length;
            var scanned = 0;
            if (prefixLength > 0)
            {
                scanned = ScanUtf16Units(first[prefixLength..], ref remaining);
                if (remaining == 0)
                {
                    position = rest.GetPosition(prefixLength + scanned);
                    if (length > 0)
                    {
                        packet = rest.Slice(prefixLength, scanned);
                        return true;
                    }

                    continue;
                }
            }

            // The packet goes on in the next segments, or is malformed: read on from where the span scan stopped.
            SequencePosition start;
            if (prefixLength > 0)
            {
                start = rest.GetPosition(prefixLength);
            }
            else
            {
                var reader = new SequenceReader<byte>(rest);
                length = ReadLengthPrefix(payload, rest.Start, ref reader);
                remaining = length;
                start = reader.Position;
            }

            var end = SkipUtf16Units(payload, rest, rest.GetPosition(scanned, start), length, remaining, start);
            position = end;
            if (length > 0)
            {
                packet = rest.Slice(start, end);
                return true;
            }
        }
    }

    /// <summary>Reads <c>&lt;n&gt;:</c> when it is whole inside <paramref name="span"/>.</summary>
    /// <returns>The length of the prefix, colon included; 0 when the span does not start with a whole, valid prefix.</returns>
    private static int LengthPrefixInSpan(ReadOnlySpan<byte> span, out long length)
    {
        length = 0;
        var digits = 0;
        while (digits < span.Length && digits < MaxLengthDigits && (uint)(span[digits] - '0') <= 9)
        {
            length = (length * 10) + (span[digits] - '0');
            digits++;
        }

        return digits > 0 && digits < span.Length && span[digits] == (byte)':' ? digits + 1 : 0;
    }

    /// <summary>Reads <c>&lt;n&gt;:</c> byte by byte across segments; throws where it is malformed.</summary>
    private static long ReadLengthPrefix(in ReadOnlySequence<byte> payload, SequencePosition restStart, ref SequenceReader<byte> reader)
    {
        long length = 0;
        var digits = 0;
        byte b;
        while (reader.TryRead(out b) && (uint)(b - '0') <= 9)
        {
            if (++digits > MaxLengthDigits)
            {
                throw new EngineProtocolException("The packet length has too many digits.", Offset(payload, restStart) + digits - 1);
            }

            length = (length * 10) + (b - '0');
        }

        if (digits == 0 || b != (byte)':' || reader.Consumed != digits + 1)
        {
            var what = reader.Consumed == digits ? "the payload ends" : $"byte 0x{b:X2} follows";
            throw new EngineProtocolException($"Expected '<length>:' before a revision-3 packet, but {what}.", Offset(payload, restStart) + digits);
        }

        return length;
    }

    /// <summary>
    /// Skips the <paramref name="remaining"/> UTF-16 code units left of a packet of <paramref name="length"/> units, from
    /// <paramref name="from"/>, segment by segment with <see cref="ScanUtf16Units"/>; a character that it leaves (split
    /// between segments, or malformed) is read byte by byte.
    /// </summary>
    /// <returns>The position after the packet.</returns>
    private static SequencePosition SkipUtf16Units(in ReadOnlySequence<byte> payload, in ReadOnlySequence<byte> rest, SequencePosition from, long length, long remaining, SequencePosition packetStart)
    {
        var cursor = from;
        var end = from;
        while (remaining > 0)
        {
            var segment = cursor;
            if (!rest.TryGet(ref cursor, out var memory))
            {
                throw Truncated(payload, rest.End, length, length - remaining);
            }

            var span = memory.Span;
            var scanned = ScanUtf16Units(span, ref remaining);
            if (remaining > 0 && scanned < span.Length)
            {
                var reader = new SequenceReader<byte>(rest.Slice(rest.GetPosition(scanned, segment)));
                remaining -= ReadCharacter(payload, ref reader);
                cursor = reader.Position;
                end = cursor;
            }
            else if (remaining <= 0)
            {
                end = rest.GetPosition(scanned, segment);
            }
        }

        if (remaining < 0)
        {
            throw new EngineProtocolException($"The packet length {length} ends inside a surrogate pair.", Offset(payload, packetStart));
        }

        return end;
    }

    /// <summary>
    /// Counts down <paramref name="remaining"/> UTF-16 code units over the bytes of <paramref name="span"/>: runs of ASCII (one
    /// unit a byte) with a vectorised search, other characters one at a time (a 4-byte sequence is a surrogate pair, two
    /// units, so <paramref name="remaining"/> may end at -1). Stops when no unit remains, at the end of the span, or before a
    /// character that is malformed or does not end inside the span.
    /// </summary>
    /// <returns>The number of bytes scanned.</returns>
    private static int ScanUtf16Units(ReadOnlySpan<byte> span, ref long remaining)
    {
        var i = 0;
        while (remaining > 0 && i < span.Length)
        {
            var lead = span[i];
            if (lead < 0x80)
            {
                var window = span.Slice(i, (int)Math.Min(remaining, span.Length - i));
                var run = window.IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
                run = run < 0 ? window.Length : run;
                i += run;
                remaining -= run;
                continue;
            }

            var extra = ContinuationCount(lead);
            if (extra < 0 || i + extra >= span.Length || !AreContinuations(span.Slice(i + 1, extra)))
            {
                break;
            }

            i += extra + 1;
            remaining -= extra == 3 ? 2 : 1;
        }

        return i;
    }

    private static bool AreContinuations(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if ((b & 0xC0) != 0x80)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The number of continuation bytes after a non-ASCII UTF-8 lead byte, or -1 when it cannot lead.</summary>
    private static int ContinuationCount(byte lead) => lead switch
    {
        >= 0xC2 and < 0xE0 => 1,
        >= 0xE0 and < 0xF0 => 2,
        >= 0xF0 and < 0xF5 => 3,
        _ => -1,
    };

    /// <summary>Reads one non-ASCII character byte by byte, across segments; throws where it is malformed.</summary>
    /// <returns>Its length in UTF-16 code units.</returns>
    private static int ReadCharacter(in ReadOnlySequence<byte> payload, ref SequenceReader<byte> reader)
    {
        reader.TryPeek(out var lead);
        var extra = ContinuationCount(lead);
        if (extra < 0)
        {
            throw InvalidLead(payload, reader.Position, lead);
        }

        reader.Advance(1);
        for (var k = 0; k < extra; k++)
        {
            if (!reader.TryPeek(out var continuation) || (continuation & 0xC0) != 0x80)
            {
                // The offending byte, or the last byte when the payload ends inside the character.
                if (reader.End)
                {
                    reader.Rewind(1);
                }

                throw InvalidSequence(payload, reader.Position);
            }

            reader.Advance(1);
        }

        return extra == 3 ? 2 : 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EngineProtocolException Truncated(in ReadOnlySequence<byte> payload, SequencePosition at, long length, long units) =>
        new($"The packet is truncated: {length} UTF-16 code units announced, {units} present.", Offset(payload, at));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EngineProtocolException InvalidLead(in ReadOnlySequence<byte> payload, SequencePosition at, byte lead) =>
        new($"Invalid UTF-8 lead byte 0x{lead:X2} in a revision-3 packet.", Offset(payload, at));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EngineProtocolException InvalidSequence(in ReadOnlySequence<byte> payload, SequencePosition at) =>
        new("Invalid or truncated UTF-8 sequence in a revision-3 packet.", Offset(payload, at));

    private static int Offset(in ReadOnlySequence<byte> payload, SequencePosition position) => (int)payload.Slice(payload.Start, position).Length;
}
