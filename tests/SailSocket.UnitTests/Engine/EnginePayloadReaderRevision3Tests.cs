using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// Revision-3 framing (protocol.md §2.4: lengths in UTF-16 code units) read by the bulk ASCII scan: non-ASCII characters of
/// every UTF-8 width at every position and across every segment boundary, lengths that end inside a surrogate pair, broken
/// UTF-8, and a differential check against the byte-at-a-time reader it replaced.
/// </summary>
public sealed class EnginePayloadReaderRevision3Tests
{
    /// <summary>One character of each UTF-8 width: 1 byte, 2 bytes, 3 bytes, 4 bytes (a surrogate pair, two UTF-16 units).</summary>
    public static TheoryData<string> Characters => new() { "a", "é", "€", "😀" };

    [Theory]
    [MemberData(nameof(Characters))]
    public void TryReadPacket_CharacterAtEveryPosition_EveryVariantGivesThePackets(string character)
    {
        const string Filler = "42[\"abcdefghijklmnopqrstuvwxyz0123\"]";
        for (var at = 4; at < Filler.Length - 2; at++)
        {
            var first = Filler.Insert(at, character);
            var second = "3" + character + "x";
            var payload = Frame(first) + Frame(second) + Frame("40");

            foreach (var (name, sequence) in SequenceVariants.Get(payload))
            {
                var packets = EnginePayloadReaderTests.ReadAll(sequence, EngineRevision.V3);
                Assert.True(packets.SequenceEqual([first, second, "40"]), $"{name}, character at {at}: [{string.Join(" | ", packets)}]");
            }
        }
    }

    [Theory]
    [InlineData("42😀")]
    [InlineData("4😀😀")]
    [InlineData("4é€😀x")]
    [InlineData("😀")]
    [InlineData("4aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa😀")]
    public void TryReadPacket_LengthEndsInsideASurrogatePair_IsRefusedInEveryVariant(string packet)
    {
        // The announced length stops after the last emoji's high surrogate: malformed, reported at the packet's first byte.
        var unitsBeforeTheEmoji = packet.LastIndexOf("😀", StringComparison.Ordinal);
        var payload = "2:40" + (unitsBeforeTheEmoji + 1).ToString(CultureInfo.InvariantCulture) + ":" + packet;
        var packetStart = Encoding.UTF8.GetByteCount(payload) - Encoding.UTF8.GetByteCount(packet);
        foreach (var (name, sequence) in SequenceVariants.Get(payload))
        {
            var ex = Assert.Throws<EngineProtocolException>(() => EnginePayloadReaderTests.ReadAll(sequence, EngineRevision.V3));
            Assert.True(packetStart == ex.Offset && ex.Message.Contains("surrogate pair", StringComparison.Ordinal), $"{name}: offset {ex.Offset}: {ex.Message}");
        }
    }

    [Theory]
    [InlineData(new byte[] { (byte)'3', (byte)':', (byte)'4', 0xC3, (byte)'A' }, 4, "Invalid or truncated UTF-8")] // a continuation that is not one
    [InlineData(new byte[] { (byte)'3', (byte)':', (byte)'4', 0xE2, 0x82, (byte)'A' }, 5, "Invalid or truncated UTF-8")]
    [InlineData(new byte[] { (byte)'3', (byte)':', (byte)'4', 0xF0, 0x9F, 0x98, (byte)'A' }, 6, "Invalid or truncated UTF-8")]
    [InlineData(new byte[] { (byte)'3', (byte)':', (byte)'4', 0xE2, 0x82 }, 4, "Invalid or truncated UTF-8")] // the payload ends inside the character
    [InlineData(new byte[] { (byte)'3', (byte)':', (byte)'4', 0xF0 }, 3, "Invalid or truncated UTF-8")]
    [InlineData(new byte[] { (byte)'3', (byte)':', (byte)'4', 0x80, (byte)'A' }, 3, "Invalid UTF-8 lead byte 0x80")]
    [InlineData(new byte[] { (byte)'3', (byte)':', (byte)'4', 0xC1, 0x81 }, 3, "Invalid UTF-8 lead byte 0xC1")]
    [InlineData(new byte[] { (byte)'3', (byte)':', (byte)'4', 0xF5, 0x80, 0x80, 0x80 }, 3, "Invalid UTF-8 lead byte 0xF5")]
    [InlineData(new byte[] { (byte)'4', (byte)':', (byte)'4', 0xC3, 0xA9 }, 5, "truncated: 4 UTF-16 code units announced, 2 present")]
    public void TryReadPacket_BrokenUtf8_IsRefusedWithTheOffsetInEveryVariant(byte[] payload, int offset, string message)
    {
        foreach (var (name, sequence) in SequenceVariants.Get(payload))
        {
            var ex = Assert.Throws<EngineProtocolException>(() => EnginePayloadReaderTests.ReadAll(sequence, EngineRevision.V3));
            Assert.True(offset == ex.Offset && ex.Message.Contains(message, StringComparison.Ordinal), $"{name}: offset {ex.Offset}: {ex.Message}");
        }
    }

    [Fact]
    public void TryReadPacket_LongAsciiAndBinaryPackets_EveryVariantGivesThePackets()
    {
        // Longer than any vector width, so the scan runs over whole vectors and stops at the announced length mid-vector.
        var text = "42[\"" + new string('x', 300) + "\"]";
        var binary = "b4" + Convert.ToBase64String(Enumerable.Range(0, 200).Select(i => (byte)i).ToArray());
        var payload = Frame(text) + Frame(binary) + Frame("3");
        foreach (var (name, sequence) in SequenceVariants.Get(payload))
        {
            var packets = EnginePayloadReaderTests.ReadAll(sequence, EngineRevision.V3);
            Assert.True(packets.SequenceEqual([text, binary, "3"]), $"{name}: {packets.Count} packets");
        }
    }

    [Fact]
    public void TryReadPacket_RandomPayloads_AgreeWithTheByteAtATimeReader()
    {
        var random = new Random(20261127);
        string[] alphabet = ["a", "4", "\"", ":", "é", "€", "😀", "\u001e", "0"];
        for (var round = 0; round < 3000; round++)
        {
            var payload = new List<byte>();
            var packets = random.Next(1, 4);
            for (var p = 0; p < packets; p++)
            {
                var text = string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)]));
                var length = text.Length + (random.Next(6) == 0 ? random.Next(-2, 3) : 0);
                payload.AddRange(Encoding.UTF8.GetBytes(Math.Max(0, length).ToString(CultureInfo.InvariantCulture) + ":"));
                payload.AddRange(Encoding.UTF8.GetBytes(text));
            }

            if (payload.Count > 0 && random.Next(5) == 0)
            {
                payload[random.Next(payload.Count)] = (byte)random.Next(256); // sometimes break a byte
            }

            if (payload.Count > 0 && random.Next(8) == 0)
            {
                payload.RemoveRange(payload.Count - 1, 1); // sometimes cut the last byte
            }

            var bytes = payload.ToArray();
            var expected = Outcome(() => ReadAllByteAtATime(new ReadOnlySequence<byte>(bytes)));
            foreach (var sequence in RandomSplits(bytes, random))
            {
                var actual = Outcome(() => EnginePayloadReaderTests.ReadAll(sequence, EngineRevision.V3));
                Assert.True(expected == actual, $"payload {Convert.ToHexString(bytes)}: expected {expected}, got {actual}");
            }
        }
    }

    private static string Frame(string packet) => packet.Length.ToString(CultureInfo.InvariantCulture) + ":" + packet;

    private static string Outcome(Func<List<string>> read)
    {
        try
        {
            return "packets: " + string.Join(" | ", read());
        }
        catch (EngineProtocolException ex)
        {
            return $"error at {ex.Offset}: {ex.Message}";
        }
    }

    private static IEnumerable<ReadOnlySequence<byte>> RandomSplits(byte[] bytes, Random random)
    {
        yield return new ReadOnlySequence<byte>(bytes);
        for (var k = 0; k < 3; k++)
        {
            var parts = new List<ReadOnlyMemory<byte>>();
            for (var at = 0; at < bytes.Length;)
            {
                var size = Math.Min(random.Next(0, 6), bytes.Length - at);
                parts.Add(bytes.AsMemory(at, size));
                at += size;
            }

            yield return parts.Count == 0 ? ReadOnlySequence<byte>.Empty : TestSegment.CreateSequence(parts);
        }
    }

    /// <summary>The reader before the bulk scan: one byte at a time, kept here as the reference the new reader must match.</summary>
    private static List<string> ReadAllByteAtATime(ReadOnlySequence<byte> payload)
    {
        var packets = new List<string>();
        var reader = new SequenceReader<byte>(payload);
        while (!reader.End)
        {
            var packetStart = (int)reader.Consumed;
            long length = 0;
            var digits = 0;
            byte b;
            while (reader.TryRead(out b) && (uint)(b - '0') <= 9)
            {
                if (++digits > 10)
                {
                    throw new EngineProtocolException("The packet length has too many digits.", packetStart + digits - 1);
                }

                length = (length * 10) + (b - '0');
            }

            if (digits == 0 || b != (byte)':' || reader.Consumed - packetStart != digits + 1)
            {
                var what = reader.Consumed - packetStart == digits ? "the payload ends" : $"byte 0x{b:X2} follows";
                throw new EngineProtocolException($"Expected '<length>:' before a revision-3 packet, but {what}.", packetStart + digits);
            }

            var start = reader.Position;
            var startOffset = (int)reader.Consumed;
            long units = 0;
            while (units < length)
            {
                if (!reader.TryRead(out var lead))
                {
                    throw new EngineProtocolException($"The packet is truncated: {length} UTF-16 code units announced, {units} present.", (int)reader.Consumed);
                }

                var (extra, count) = lead switch
                {
                    < 0x80 => (0, 1),
                    >= 0xC2 and < 0xE0 => (1, 1),
                    >= 0xE0 and < 0xF0 => (2, 1),
                    >= 0xF0 and < 0xF5 => (3, 2),
                    _ => (-1, 0),
                };
                if (extra < 0)
                {
                    throw new EngineProtocolException($"Invalid UTF-8 lead byte 0x{lead:X2} in a revision-3 packet.", (int)reader.Consumed - 1);
                }

                for (var i = 0; i < extra; i++)
                {
                    if (!reader.TryRead(out var continuation) || (continuation & 0xC0) != 0x80)
                    {
                        throw new EngineProtocolException("Invalid or truncated UTF-8 sequence in a revision-3 packet.", (int)reader.Consumed - 1);
                    }
                }

                units += count;
            }

            if (units != length)
            {
                throw new EngineProtocolException($"The packet length {length} ends inside a surrogate pair.", startOffset);
            }

            if (length > 0)
            {
                packets.Add(Encoding.UTF8.GetString(payload.Slice(start, reader.Position).ToArray()));
            }
        }

        return packets;
    }
}
