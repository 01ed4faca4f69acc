using System;
using System.Buffers;
using System.Text;
using System.Text.Json;
using SailSocket.SocketIo.Protocol;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <summary>Packet headers written by <see cref="SocketIoPacketWriter"/> read back identically with <see cref="SocketIoPacketReader"/>.</summary>
public sealed class SocketIoPacketWriterTests
{
    // SocketIoPacketType is internal: the data is exposed as IEnumerable<object[]>, the type as Enum.
    public static IEnumerable<object[]> Headers => new TheoryData<SocketIoPacketType, string, long, int, string, string>
    {
        // type, namespace, ack id, attachments, payload, expected wire text
        { SocketIoPacketType.Connect, "/", -1, 0, "", "0" },
        { SocketIoPacketType.Connect, "/", -1, 0, """{"token":"abc"}""", """0{"token":"abc"}""" },
        { SocketIoPacketType.Connect, "/admin", -1, 0, "", "0/admin," },
        { SocketIoPacketType.Connect, "/admin", -1, 0, """{"token":"x"}""", """0/admin,{"token":"x"}""" },
        { SocketIoPacketType.Disconnect, "/", -1, 0, "", "1" },
        { SocketIoPacketType.Disconnect, "/admin", -1, 0, "", "1/admin," },
        { SocketIoPacketType.Event, "/", -1, 0, """["chat",{"text":"hi"}]""", """2["chat",{"text":"hi"}]""" },
        { SocketIoPacketType.Event, "/", 0, 0, """["get",{"url":"/echo"}]""", """20["get",{"url":"/echo"}]""" },
        { SocketIoPacketType.Event, "/admin", 12, 0, """["x"]""", """2/admin,12["x"]""" },
        { SocketIoPacketType.Event, "/", int.MaxValue, 0, "[]", "22147483647[]" },
        { SocketIoPacketType.Event, "/", 999999999999999, 0, "[]", "2999999999999999[]" },
        { SocketIoPacketType.Ack, "/", 0, 0, """[{"statusCode":200}]""", """30[{"statusCode":200}]""" },
        { SocketIoPacketType.Ack, "/admin", 7, 0, "[]", "3/admin,7[]" },
        { SocketIoPacketType.ConnectError, "/admin", -1, 0, """{"message":"Invalid namespace"}""", """4/admin,{"message":"Invalid namespace"}""" },
        { SocketIoPacketType.BinaryEvent, "/", 7, 1, """["post",{"_placeholder":true,"num":0}]""", """51-7["post",{"_placeholder":true,"num":0}]""" },
        { SocketIoPacketType.BinaryEvent, "/", -1, 10, "[]", "510-[]" },
        { SocketIoPacketType.BinaryEvent, "/admin", 3, 2, "[]", "52-/admin,3[]" },
        { SocketIoPacketType.BinaryAck, "/", 1, 1, """[{"_placeholder":true,"num":0}]""", """61-1[{"_placeholder":true,"num":0}]""" },
        { SocketIoPacketType.BinaryAck, "/ñandú", 42, 3, "[]", "63-/ñandú,42[]" },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void WriteHeader_WritesTheWireFormatAndReadsBack(Enum packetType, string ns, long ackId, int attachments, string payload, string expected)
    {
        var type = (SocketIoPacketType)packetType;
        var buffer = new ArrayBufferWriter<byte>();

        SocketIoPacketWriter.WriteHeader(buffer, type, ns, ackId, attachments);
        buffer.Write(Encoding.UTF8.GetBytes(payload));

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
        var packet = SocketIoPacketReader.Parse(buffer.WrittenMemory);
        Assert.Equal(type, packet.Type);
        Assert.Equal(ns, packet.Namespace);
        Assert.Equal(ackId, packet.AckId);
        Assert.Equal(attachments, packet.AttachmentCount);
        Assert.Equal(payload, Encoding.UTF8.GetString(packet.Data.ToArray()));
    }

    [Fact]
    public void WriteHeader_DefaultArguments_WriteTheMainNamespaceWithoutAckId()
    {
        var buffer = new ArrayBufferWriter<byte>();

        SocketIoPacketWriter.WriteHeader(buffer, SocketIoPacketType.Event);

        Assert.Equal("2", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void WriteHeader_AppendsToWhatIsAlreadyWritten()
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("4"u8);

        SocketIoPacketWriter.WriteHeader(buffer, SocketIoPacketType.Ack, "/", 5);

        Assert.Equal("435", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void WriteHeader_LongNamespace_GrowsTheBuffer()
    {
        var ns = "/" + new string('n', 5000);
        var buffer = new ArrayBufferWriter<byte>(1);

        SocketIoPacketWriter.WriteHeader(buffer, SocketIoPacketType.Event, ns, 1);
        buffer.Write("[]"u8);

        var packet = SocketIoPacketReader.Parse(buffer.WrittenMemory);
        Assert.Equal(ns, packet.Namespace);
        Assert.Equal(1, packet.AckId);
    }

    [Theory]
    [InlineData(SocketIoPacketType.BinaryEvent, 0)]
    [InlineData(SocketIoPacketType.BinaryAck, 0)]
    [InlineData(SocketIoPacketType.BinaryEvent, -1)]
    [InlineData(SocketIoPacketType.Event, 1)]
    [InlineData(SocketIoPacketType.Ack, 2)]
    [InlineData(SocketIoPacketType.Connect, 1)]
    public void WriteHeader_AttachmentCountThatDoesNotFitTheType_Throws(Enum packetType, int attachments)
    {
        var type = (SocketIoPacketType)packetType;
        var buffer = new ArrayBufferWriter<byte>();

        var ex = Assert.Throws<ArgumentException>(() => SocketIoPacketWriter.WriteHeader(buffer, type, "/", 1, attachments));

        Assert.Equal("attachmentCount", ex.ParamName);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Theory]
    [InlineData("")]
    [InlineData("admin")]
    [InlineData("/a,b")]
    [InlineData(",")]
    public void WriteHeader_InvalidNamespace_Throws(string ns)
    {
        var buffer = new ArrayBufferWriter<byte>();

        var ex = Assert.Throws<ArgumentException>(() => SocketIoPacketWriter.WriteHeader(buffer, SocketIoPacketType.Event, ns));

        Assert.Equal("ns", ex.ParamName);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void WriteHeader_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => SocketIoPacketWriter.WriteHeader(null!, SocketIoPacketType.Event));
        Assert.Throws<ArgumentNullException>(() => SocketIoPacketWriter.WriteHeader(new ArrayBufferWriter<byte>(), SocketIoPacketType.Event, null!));
    }

    [Fact]
    public void WritePlaceholder_WritesTheCapturedObject()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            SocketIoPacketWriter.WritePlaceholder(json, 0);
        }

        Assert.Equal("""{"_placeholder":true,"num":0}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void WritePlaceholder_InsideAnArray_NumbersEachAttachment()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue("post");
            SocketIoPacketWriter.WritePlaceholder(json, 0);
            SocketIoPacketWriter.WritePlaceholder(json, 1);
            json.WriteEndArray();
        }

        Assert.Equal("""["post",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void WritePlaceholder_NullWriter_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => SocketIoPacketWriter.WritePlaceholder(null!, 0));
    }
}
