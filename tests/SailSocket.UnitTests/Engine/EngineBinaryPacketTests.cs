using System;
using System.Text;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>The base64 form of binary packets (protocol.md §2.4, §2.5): <c>b…</c> on revision 4, <c>b4…</c> on revision 3.</summary>
public sealed class EngineBinaryPacketTests
{
    [Theory]
    [InlineData(EngineRevision.V4, "bAQID+g==", new byte[] { 0x01, 0x02, 0x03, 0xFA })]
    [InlineData(EngineRevision.V3, "b4AQID+g==", new byte[] { 0x01, 0x02, 0x03, 0xFA })]
    [InlineData(EngineRevision.V3, "b4aGk=", new byte[] { 0x68, 0x69 })]
    [InlineData(EngineRevision.V3, "b4/w==", new byte[] { 0xFF })]
    [InlineData(EngineRevision.V4, "b", new byte[0])]
    public void Decode_CapturedPacket_GivesTheBytes(EngineRevision revision, string packet, byte[] expected) =>
        Assert.Equal(expected, EngineBinaryPacket.Decode(Encoding.ASCII.GetBytes(packet), revision));

    [Theory]
    [InlineData(EngineRevision.V4, "bAQID+g=", 5)]
    [InlineData(EngineRevision.V4, "bAQ!D", 1)]
    [InlineData(EngineRevision.V3, "bAQID", 1)]
    [InlineData(EngineRevision.V3, "b", 1)]
    [InlineData(EngineRevision.V4, "4AQID", 0)]
    [InlineData(EngineRevision.V3, "b4AQID+g=", 6)]
    public void Decode_Malformed_ThrowsWithTheOffset(EngineRevision revision, string packet, int offset)
    {
        var ex = Assert.Throws<EngineProtocolException>(() => EngineBinaryPacket.Decode(Encoding.ASCII.GetBytes(packet), revision));
        Assert.Equal(offset, ex.Offset);
    }
}
