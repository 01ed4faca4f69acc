using System;
using System.Buffers;
using System.Text;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>POST payloads of both revisions (protocol.md §2.4): the captured bytes, and a round trip through the reader.</summary>
public sealed class EnginePayloadWriterTests
{
    [Fact]
    public void WriteText_V3_PrefixesTheUtf16Length_AsCaptured()
    {
        const string Packet = """420["get",{"method":"get","headers":{},"data":{"text":"é😀"},"url":"/unicode"}]""";
        var output = new ArrayBufferWriter<byte>();
        var bytes = Encoding.UTF8.GetBytes(Packet);
        EnginePayloadWriter.WriteText(output, bytes, EngineRevision.V3, first: true);

        Assert.Equal("79:" + Packet, Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(85, output.WrittenCount);
        Assert.Equal(output.WrittenCount, EnginePayloadWriter.GetTextLength(bytes, EngineRevision.V3, first: true));
    }

    [Fact]
    public void WriteText_V4_JoinsWithTheRecordSeparator_AsCaptured()
    {
        const string First = """420["get",{"method":"get","headers":{},"data":{"x":1},"url":"/echo?y=2"}]""";
        const string Second = """421["get",{"method":"get","headers":{},"data":{},"url":"/binary"}]""";
        var output = new ArrayBufferWriter<byte>();
        EnginePayloadWriter.WriteText(output, Encoding.UTF8.GetBytes(First), EngineRevision.V4, first: true);
        EnginePayloadWriter.WriteText(output, Encoding.UTF8.GetBytes(Second), EngineRevision.V4, first: false);

        Assert.Equal(First + "\u001e" + Second, Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(Second.Length + 1, EnginePayloadWriter.GetTextLength(Encoding.UTF8.GetBytes(Second), EngineRevision.V4, first: false));
    }

    [Theory]
    [InlineData(EngineRevision.V3, new byte[] { 0x68, 0x69 }, "6:b4aGk=")]
    [InlineData(EngineRevision.V3, new byte[] { 0xFF }, "6:b4/w==")]
    [InlineData(EngineRevision.V4, new byte[] { 0x01, 0x02, 0x03, 0xFA }, "bAQID+g==")]
    [InlineData(EngineRevision.V4, new byte[0], "b")]
    public void WriteBinary_WritesTheBase64Packet_AsCaptured(EngineRevision revision, byte[] data, string expected)
    {
        var output = new ArrayBufferWriter<byte>();
        EnginePayloadWriter.WriteBinary(output, data, revision, first: true);

        Assert.Equal(expected, Encoding.ASCII.GetString(output.WrittenSpan));
        Assert.Equal(output.WrittenCount, EnginePayloadWriter.GetBinaryLength(data.Length, revision, first: true));
    }

    [Theory]
    [InlineData(EngineRevision.V3)]
    [InlineData(EngineRevision.V4)]
    public void Writer_RoundTripsThroughTheReader(EngineRevision revision)
    {
        string[] texts = ["40", """42["ü",{"😀":"✓"}]""", "3", "1"];
        byte[] binary = [0, 1, 2, 0x1E, 0xFF, (byte)':'];
        var output = new ArrayBufferWriter<byte>();
        var first = true;
        foreach (var text in texts)
        {
            EnginePayloadWriter.WriteText(output, Encoding.UTF8.GetBytes(text), revision, first);
            first = false;
        }

        EnginePayloadWriter.WriteBinary(output, binary, revision, first: false);

        var packets = EnginePayloadReaderTests.ReadAll(new ReadOnlySequence<byte>(output.WrittenMemory), revision);
        Assert.Equal(texts, packets.GetRange(0, texts.Length));
        Assert.Equal(binary, EngineBinaryPacket.Decode(Encoding.ASCII.GetBytes(packets[^1]), revision));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("abc", 3)]
    [InlineData("é", 1)]
    [InlineData("✓", 1)]
    [InlineData("😀", 2)]
    [InlineData("héllo wörld ✓ 😀", 16)]
    public void CountUtf16_MatchesStringLength(string text, int expected)
    {
        Assert.Equal(expected, text.Length);
        Assert.Equal(expected, EnginePayloadWriter.CountUtf16(Encoding.UTF8.GetBytes(text)));
    }
}
