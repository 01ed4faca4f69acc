using System;
using System.Buffers;
using System.Text;
using SailSocket.SocketIo.Protocol;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <summary>
/// Every captured packet of protocol.md §3.2–§3.7 and §4.3, decoded from every split variant:
/// right-sized, embedded, split at every offset, one byte per segment. All variants must decode identically.
/// </summary>
public sealed partial class SocketIoPacketReaderTests
{
    // SocketIoPacketType is internal: the data is exposed as IEnumerable<object[]>, the type as Enum.
    public static IEnumerable<object[]> CapturedPackets => new TheoryData<string, SocketIoPacketType, int, string, long, string>
    {
        // §3.2
        { "0", SocketIoPacketType.Connect, 0, "/", -1, "" },
        { """0{"sid":"_lEinCmrO8QVShxmAAAA"}""", SocketIoPacketType.Connect, 0, "/", -1, """{"sid":"_lEinCmrO8QVShxmAAAA"}""" },
        { """0{"token":"abc"}""", SocketIoPacketType.Connect, 0, "/", -1, """{"token":"abc"}""" },
        {
            """20["get",{"method":"get","headers":{},"data":{"q":1},"url":"/echo"}]""",
            SocketIoPacketType.Event, 0, "/", 0, """["get",{"method":"get","headers":{},"data":{"q":1},"url":"/echo"}]"""
        },
        {
            """30[{"body":{"text":"hi"},"headers":{},"statusCode":200}]""",
            SocketIoPacketType.Ack, 0, "/", 0, """[{"body":{"text":"hi"},"headers":{},"statusCode":200}]"""
        },
        { """2["chat",{"text":"hi"}]""", SocketIoPacketType.Event, 0, "/", -1, """["chat",{"text":"hi"}]""" },
        { "1", SocketIoPacketType.Disconnect, 0, "/", -1, "" },
        { """4/admin,{"message":"Invalid namespace"}""", SocketIoPacketType.ConnectError, 0, "/admin", -1, """{"message":"Invalid namespace"}""" },
        {
            """61-1[{"body":{"_placeholder":true,"num":0},"headers":{},"statusCode":200}]""",
            SocketIoPacketType.BinaryAck, 1, "/", 1, """[{"body":{"_placeholder":true,"num":0},"headers":{},"statusCode":200}]"""
        },

        // §3.2: the namespace may be unterminated at the end of the packet.
        { "0/admin", SocketIoPacketType.Connect, 0, "/admin", -1, "" },
        { "0/admin?x=1", SocketIoPacketType.Connect, 0, "/admin?x=1", -1, "" },
        { "0/admin,", SocketIoPacketType.Connect, 0, "/admin", -1, "" },
        { """0/admin,{"token":"x"}""", SocketIoPacketType.Connect, 0, "/admin", -1, """{"token":"x"}""" },
        { """2/admin,12["x"]""", SocketIoPacketType.Event, 0, "/admin", 12, """["x"]""" },
        { "1/admin,", SocketIoPacketType.Disconnect, 0, "/admin", -1, "" },
        { """2/,["x"]""", SocketIoPacketType.Event, 0, "/", -1, """["x"]""" },

        // §3.4: protocol 4 sends the connect error as a string.
        { "4\"not authorized\"", SocketIoPacketType.ConnectError, 0, "/", -1, "\"not authorized\"" },
        { """4{"message":"nope","data":{"code":1}}""", SocketIoPacketType.ConnectError, 0, "/", -1, """{"message":"nope","data":{"code":1}}""" },

        // §3.5
        { """2["message",{"text":"default event name"}]""", SocketIoPacketType.Event, 0, "/", -1, """["message",{"text":"default event name"}]""" },
        {
            """2["pet",{"verb":"created","data":{"createdAt":1795546342621,"updatedAt":1795546342621,"id":3,"name":"Kit","species":"cat"},"id":3}]""",
            SocketIoPacketType.Event, 0, "/", -1,
            """["pet",{"verb":"created","data":{"createdAt":1795546342621,"updatedAt":1795546342621,"id":3,"name":"Kit","species":"cat"},"id":3}]"""
        },
        { """27["ev",1]""", SocketIoPacketType.Event, 0, "/", 7, """["ev",1]""" },

        // §3.7
        {
            """61-5[{"body":{"_placeholder":true,"num":0},"headers":{},"statusCode":200}]""",
            SocketIoPacketType.BinaryAck, 1, "/", 5, """[{"body":{"_placeholder":true,"num":0},"headers":{},"statusCode":200}]"""
        },
        {
            """62-6[{"body":{"name":"file.bin","content":{"_placeholder":true,"num":0},"list":[{"_placeholder":true,"num":1}]},"headers":{},"statusCode":200}]""",
            SocketIoPacketType.BinaryAck, 2, "/", 6,
            """[{"body":{"name":"file.bin","content":{"_placeholder":true,"num":0},"list":[{"_placeholder":true,"num":1}]},"headers":{},"statusCode":200}]"""
        },
        {
            """51-7["post",{"url":"/echo","data":{"file":{"_placeholder":true,"num":0},"name":"x.bin"}}]""",
            SocketIoPacketType.BinaryEvent, 1, "/", 7, """["post",{"url":"/echo","data":{"file":{"_placeholder":true,"num":0},"name":"x.bin"}}]"""
        },
        { """510-/admin,3["x"]""", SocketIoPacketType.BinaryEvent, 10, "/admin", 3, """["x"]""" },
        { """51-["x",{"_placeholder":true,"num":0}]""", SocketIoPacketType.BinaryEvent, 1, "/", -1, """["x",{"_placeholder":true,"num":0}]""" },

        // §4.3
        {
            """20["get",{"method":"get","headers":{"x-global":"G"},"data":{"q":1},"url":"/echo"}]""",
            SocketIoPacketType.Event, 0, "/", 0, """["get",{"method":"get","headers":{"x-global":"G"},"data":{"q":1},"url":"/echo"}]"""
        },
        {
            """21["post",{"method":"post","headers":{"x-probe":"P","x-global":"G"},"data":{"a":1,"nested":{"b":[1,2]}},"url":"/echo"}]""",
            SocketIoPacketType.Event, 0, "/", 1,
            """["post",{"method":"post","headers":{"x-probe":"P","x-global":"G"},"data":{"a":1,"nested":{"b":[1,2]}},"url":"/echo"}]"""
        },
        {
            """27["patch",{"method":"patch","headers":{"x-global":"G"},"data":{"name":"Tommy"},"url":"/pet/1"}]""",
            SocketIoPacketType.Event, 0, "/", 7, """["patch",{"method":"patch","headers":{"x-global":"G"},"data":{"name":"Tommy"},"url":"/pet/1"}]"""
        },
        { """33[{"body":"Not Found","headers":{},"statusCode":404}]""", SocketIoPacketType.Ack, 0, "/", 3, """[{"body":"Not Found","headers":{},"statusCode":404}]""" },
        { """34[{"statusCode":200}]""", SocketIoPacketType.Ack, 0, "/", 4, """[{"statusCode":200}]""" },
        { """35[{"statusCode":200}]""", SocketIoPacketType.Ack, 0, "/", 5, """[{"statusCode":200}]""" },

        // Non-ASCII in the payload (§2.4's /unicode round trip) and in the namespace.
        {
            """30[{"body":{"text":"héllo wörld ✓ 😀","received":"é😀"},"headers":{},"statusCode":200}]""",
            SocketIoPacketType.Ack, 0, "/", 0, """[{"body":{"text":"héllo wörld ✓ 😀","received":"é😀"},"headers":{},"statusCode":200}]"""
        },
        { """2/ñandú,["x"]""", SocketIoPacketType.Event, 0, "/ñandú", -1, """["x"]""" },

        // The largest ack id accepted: 15 digits.
        { """2999999999999999["x"]""", SocketIoPacketType.Event, 0, "/", 999999999999999, """["x"]""" },
    };

    [Theory]
    [MemberData(nameof(CapturedPackets))]
    public void Parse_CapturedPacket_DecodesIdenticallyFromEveryVariant(
        string text, Enum packetType, int attachments, string ns, long ackId, string data)
    {
        var type = (SocketIoPacketType)packetType;
        var expectedData = Encoding.UTF8.GetBytes(data);
        var variants = 0;
        foreach (var (name, sequence) in SequenceVariants.Get(text))
        {
            var packet = SocketIoPacketReader.Parse(sequence);

            Assert.True(type == packet.Type, $"{name}: type {packet.Type}, expected {type}");
            Assert.True(attachments == packet.AttachmentCount, $"{name}: {packet.AttachmentCount} attachments, expected {attachments}");
            Assert.True(ns == packet.Namespace, $"{name}: namespace '{packet.Namespace}', expected '{ns}'");
            Assert.True(ackId == packet.AckId, $"{name}: ack id {packet.AckId}, expected {ackId}");
            Assert.True(ackId >= 0 == packet.HasAckId, $"{name}: HasAckId");
            var actual = packet.Data.ToArray();
            Assert.True(expectedData.AsSpan().SequenceEqual(actual), $"{name}: data '{Encoding.UTF8.GetString(actual)}', expected '{data}'");

            // Data is a slice of the input that ends where the packet ends: header length + data length = packet length.
            Assert.True(packet.Data.End.Equals(sequence.End) || packet.Data.IsEmpty, $"{name}: data does not end at the end of the packet");
            variants++;
        }

        Assert.True(variants > 4);
    }

    [Theory]
    [MemberData(nameof(CapturedPackets))]
    public void Parse_MemoryOverload_MatchesSequenceOverload(
        string text, Enum packetType, int attachments, string ns, long ackId, string data)
    {
        var type = (SocketIoPacketType)packetType;
        var bytes = Encoding.UTF8.GetBytes(text);

        var packet = SocketIoPacketReader.Parse(bytes.AsMemory());

        Assert.Equal(type, packet.Type);
        Assert.Equal(attachments, packet.AttachmentCount);
        Assert.Equal(ns, packet.Namespace);
        Assert.Equal(ackId, packet.AckId);
        Assert.Equal(data, Encoding.UTF8.GetString(packet.Data.ToArray()));
    }

    [Fact]
    public void Parse_MaxAttachments_IsConfigurable()
    {
        var packet = SocketIoPacketReader.Parse(new ReadOnlySequence<byte>("""512-["x"]"""u8.ToArray()), maxAttachments: 12);

        Assert.Equal(12, packet.AttachmentCount);
    }
}
