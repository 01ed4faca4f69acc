using System;
using System.Text;
using SailSocket.SocketIo;
using SailSocket.SocketIo.Protocol;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content>Malformed packets: a <see cref="SocketIoProtocolException"/> whose offset points at the problem, the same in every variant.</content>
public sealed partial class SocketIoPacketReaderTests
{
    public static TheoryData<string, byte[], long> MalformedPackets => new()
    {
        { "empty packet", [], 0 },
        { "type '7'", Bytes("7"), 0 },
        { "type '9'", Bytes("""9["x"]"""), 0 },
        { "type not a digit", Bytes("garbage"), 0 },
        { "type '/'", Bytes("/admin,"), 0 },

        // Binary packets: "<n>-" with 1 <= n <= maxAttachments.
        { "binary event without count", Bytes("""5-["x"]"""), 1 },
        { "binary ack without count or dash", Bytes("""6["x"]"""), 1 },
        { "binary event, count at end of packet", Bytes("5"), 1 },
        { "binary ack, count 0", Bytes("""60-1["x"]"""), 1 },
        { "binary event, count 11 (max 10)", Bytes("""511-["x"]"""), 1 },
        { "binary event, count with 16 digits", Bytes("5" + new string('1', 16) + """-["x"]"""), 16 },

        // Acks need an id.
        { "ack without id", Bytes("""3[{"statusCode":200}]"""), 1 },
        { "ack without id in a namespace", Bytes("""3/admin,["x"]"""), 8 },
        { "binary ack without id", Bytes("""61-[{"_placeholder":true,"num":0}]"""), 3 },

        // Ack ids only on events and acks.
        { "connect with ack id", Bytes("""01{"sid":"x"}"""), 1 },
        { "disconnect with ack id", Bytes("17"), 1 },
        { "connect error with ack id", Bytes("""42{"message":"x"}"""), 1 },
        { "connect with ack id after namespace", Bytes("0/admin,5"), 8 },

        // Payload shape (§3.8: undecodable packets close the connection).
        { "event payload not an array", Bytes("""2{"a":1}"""), 1 },
        { "event payload a string", Bytes("\"chat\""), 0 },
        { "event without payload", Bytes("2"), 1 },
        { "event with ack id and no payload", Bytes("20"), 2 },
        { "event in a namespace without payload", Bytes("2/admin"), 7 },
        { "ack payload not an array", Bytes("""30{"statusCode":200}"""), 2 },
        { "binary event payload not an array", Bytes("""51-{"a":1}"""), 3 },
        { "disconnect with payload", Bytes("1x"), 1 },
        { "connect payload an array", Bytes("0[1]"), 1 },
        { "connect error payload an array", Bytes("4[1]"), 1 },

        // Numbers are bounded: JavaScript's safe integers have 16 digits, the reader takes at most 15.
        { "ack id with 16 digits", Bytes("2" + new string('9', 16) + """["x"]"""), 16 },
        { "ack id with 30 digits", Bytes("3" + new string('1', 30) + """[1]"""), 16 },

        // The namespace must be UTF-8.
        { "namespace not UTF-8", [(byte)'2', (byte)'/', 0xFF, 0xFE, (byte)',', (byte)'[', (byte)']'], 1 },
    };

    [Theory]
    [MemberData(nameof(MalformedPackets))]
    public void Parse_Malformed_ThrowsWithTheSameOffsetFromEveryVariant(string because, byte[] packet, long offset)
    {
        foreach (var (name, sequence) in SequenceVariants.Get(packet))
        {
            var ex = Assert.Throws<SocketIoProtocolException>(() => SocketIoPacketReader.Parse(sequence));

            Assert.True(offset == ex.Offset, $"{because}, {name}: offset {ex.Offset}, expected {offset} ({ex.Message})");
            Assert.Contains($"offset {offset}", ex.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Regression test for a bug found and fixed (src/SocketIo/Protocol/SocketIoPacketReader.cs, Parse, the binary-count branch): "5" + count + a byte
    /// that is not '-'. The offset should name the offending byte, but the reader reports
    /// <c>reader.Consumed</c> after <c>TryRead</c> has already consumed that byte, one past it (3 instead of 2 here).
    /// </summary>
    [Fact]
    public void Parse_BinaryCountNotFollowedByDash_OffsetPointsAtTheOffendingByte()
    {
        var ex = Assert.Throws<SocketIoProtocolException>(() => SocketIoPacketReader.Parse("""51["x"]"""u8.ToArray().AsMemory()));

        // "51[": '[' at offset 2 is where the '-' should be.
        Assert.Equal(2, ex.Offset);
    }

    [Fact]
    public void Parse_AttachmentCountAboveCustomMax_Throws()
    {
        var ex = Assert.Throws<SocketIoProtocolException>(() => SocketIoPacketReader.Parse("""63-1["x"]"""u8.ToArray().AsMemory(), maxAttachments: 2));

        Assert.Equal(1, ex.Offset);
        Assert.Contains("1..2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8Namespace_KeepsTheDecoderError()
    {
        var ex = Assert.Throws<SocketIoProtocolException>(() => SocketIoPacketReader.Parse(new byte[] { (byte)'0', (byte)'/', 0xC3 }.AsMemory()));

        Assert.IsType<DecoderFallbackException>(ex.InnerException);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
