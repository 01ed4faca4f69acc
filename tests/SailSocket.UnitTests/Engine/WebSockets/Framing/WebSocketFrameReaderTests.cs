using System.Buffers.Binary;
using SailSocket.Engine;
using SailSocket.Engine.Transports.WebSockets.Framing;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets.Framing;

/// <summary>The frame header reader: every length form, every RFC 6455 §5 rule for a frame sent to a client, and "need more" at every cut.</summary>
public sealed class WebSocketFrameReaderTests
{
    public static TheoryData<long> Lengths => [0, 1, 125, 126, 127, 1000, 65535, 65536, 1L << 32, long.MaxValue];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_length_form_round_trips_through_the_writer_and_reads_only_once_whole(long length)
    {
        var frame = new byte[WebSocketFrameWriter.MaxHeaderLength + 3];
        var written = WebSocketFrameWriter.WriteHeader(frame, fin: true, WebSocketOpcode.Binary, length, masked: false, 0);
        Assert.Equal(WebSocketFrameWriter.HeaderLength(length, masked: false), written);
        Assert.Equal(length <= 125 ? 2 : length <= 65535 ? 4 : 10, written);

        // Garbage after the header is not read as part of it.
        frame.AsSpan(written).Fill(0xFF);
        Assert.True(WebSocketFrameReader.TryRead(frame, out var header, out var headerLength));
        Assert.Equal(written, headerLength);
        Assert.Equal(new WebSocketFrameHeader(true, WebSocketOpcode.Binary, length), header);

        for (var cut = 0; cut < written; cut++)
        {
            Assert.False(WebSocketFrameReader.TryRead(frame.AsSpan(0, cut), out _, out var none));
            Assert.Equal(0, none);
        }
    }

    [Theory]
    [InlineData(0x01, false, 1)]
    [InlineData(0x81, true, 1)]
    [InlineData(0x02, false, 2)]
    [InlineData(0x00, false, 0)]
    [InlineData(0x80, true, 0)]
    [InlineData(0x88, true, 8)]
    [InlineData(0x89, true, 9)]
    [InlineData(0x8A, true, 10)]
    public void Fin_and_the_six_opcodes_are_read(byte first, bool fin, int opcodeValue)
    {
        var opcode = (WebSocketOpcode)opcodeValue;
        Assert.True(WebSocketFrameReader.TryRead([first, 5], out var header, out var length));
        Assert.Equal(2, length);
        Assert.Equal(fin, header.Fin);
        Assert.Equal(opcode, header.Opcode);
        Assert.Equal(5, header.PayloadLength);
        Assert.Equal((byte)opcode >= 8, header.IsControl);
    }

    [Fact]
    public void A_length_not_in_its_shortest_form_is_accepted_as_the_BCL_does()
    {
        Assert.True(WebSocketFrameReader.TryRead([0x82, 126, 0, 5], out var header, out var length));
        Assert.Equal((5L, 4), (header.PayloadLength, length));
        Assert.True(WebSocketFrameReader.TryRead([0x82, 127, 0, 0, 0, 0, 0, 0, 0, 5], out header, out length));
        Assert.Equal((5L, 10), (header.PayloadLength, length));
    }

    [Theory]
    [InlineData(new byte[] { 0xC1, 0 }, 0, "reserved bits")] // RSV1
    [InlineData(new byte[] { 0xA1, 0 }, 0, "reserved bits")] // RSV2
    [InlineData(new byte[] { 0x91, 0 }, 0, "reserved bits")] // RSV3
    [InlineData(new byte[] { 0x83, 0 }, 0, "unknown opcode 0x3")]
    [InlineData(new byte[] { 0x87, 0 }, 0, "unknown opcode 0x7")]
    [InlineData(new byte[] { 0x8B, 0 }, 0, "unknown opcode 0xB")]
    [InlineData(new byte[] { 0x8F, 0 }, 0, "unknown opcode 0xF")]
    [InlineData(new byte[] { 0x81, 0x81, 1, 2, 3, 4 }, 1, "masked")]
    [InlineData(new byte[] { 0x09, 0 }, 0, "fragmented")] // ping without FIN
    [InlineData(new byte[] { 0x08, 0 }, 0, "fragmented")] // close without FIN
    [InlineData(new byte[] { 0x0A, 0 }, 0, "fragmented")] // pong without FIN
    [InlineData(new byte[] { 0x89, 126, 0, 126 }, 1, "longer than 125")]
    [InlineData(new byte[] { 0x88, 127, 0, 0, 0, 0, 0, 0, 0, 1 }, 1, "longer than 125")]
    [InlineData(new byte[] { 0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 2, "most significant bit")]
    [InlineData(new byte[] { 0x82, 127, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, 2, "most significant bit")]
    public void A_header_that_breaks_RFC_6455_for_a_client_throws_naming_the_offset(byte[] frame, int offset, string words)
    {
        var error = Assert.Throws<EngineProtocolException>(() => WebSocketFrameReader.TryRead(frame, out _, out _));
        Assert.Equal(offset, error.Offset);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_writer_sets_the_mask_bit_and_puts_the_key_after_the_length_first_byte_first()
    {
        var frame = new byte[WebSocketFrameWriter.MaxHeaderLength];
        var length = WebSocketFrameWriter.WriteHeader(frame, fin: false, WebSocketOpcode.Text, 300, masked: true, 0x44332211);
        Assert.Equal(8, length);
        Assert.Equal([0x01, 0x80 | 126, 0x01, 0x2C, 0x11, 0x22, 0x33, 0x44], frame.AsSpan(0, 8).ToArray());
        Assert.Equal(300, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(2)));

        length = WebSocketFrameWriter.WriteHeader(frame, fin: true, WebSocketOpcode.Binary, 70000, masked: true, 0x04030201);
        Assert.Equal(WebSocketFrameWriter.MaxHeaderLength, length);
        Assert.Equal([0x82, 0x80 | 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70, 1, 2, 3, 4], frame);
    }
}
