using System;
using System.Buffers;
using System.Text;
using SailSocket.SocketIo.Protocol;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content>The receive loop's parse: the namespace as UTF-8 bytes for routing, no string made for it.</content>
public sealed partial class SocketIoPacketReaderTests
{
    [Theory]
    [InlineData("""2["ev"]""", "")]
    [InlineData("""2/,["ev"]""", "")]
    [InlineData("""2/chat,["ev"]""", "/chat")]
    [InlineData("""2/chät,5["ev"]""", "/chät")]
    [InlineData("1/admin,", "/admin")]
    [InlineData("0/admin", "/admin")]
    [InlineData("""51-/chat,3[{"_placeholder":true,"num":0}]""", "/chat")]
    public void ParseForRouting_GivesTheNamespaceBytes_EmptyForMain_InEverySplit(string text, string expected)
    {
        var decoded = SocketIoPacketReader.Parse(Encoding.UTF8.GetBytes(text));
        foreach (var (_, variant) in SequenceVariants.Get(text))
        {
            var packet = SocketIoPacketReader.Parse(variant, 10, decodeNamespace: false, out var ns);

            Assert.Equal(expected, Encoding.UTF8.GetString(ns.ToArray()));
            Assert.Equal(expected.Length == 0 ? "/" : string.Empty, packet.Namespace);
            Assert.Equal(decoded.Type, packet.Type);
            Assert.Equal(decoded.AckId, packet.AckId);
            Assert.Equal(decoded.Data.ToArray(), packet.Data.ToArray());
        }

        Assert.Equal(expected.Length == 0 ? "/" : expected, decoded.Namespace);
    }
}
