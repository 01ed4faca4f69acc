using System;
using System.Text;
using SailSocket.SocketIo;
using SailSocket.SocketIo.Protocol;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <summary>Reading the event name and single elements out of the JSON arrays events and acks carry.</summary>
public sealed class SocketIoJsonArrayTests
{
    [Theory]
    [InlineData("""["chat",{"text":"hi"}]""", "chat")]
    [InlineData("""["get",{"method":"get","headers":{},"data":{"q":1},"url":"/echo"}]""", "get")]
    [InlineData("""["disconnect-me"]""", "disconnect-me")]
    [InlineData("""[ "spaced" , 1 ]""", "spaced")]
    [InlineData("""["caf\u00e9"]""", "café")]
    [InlineData("""["é😀"]""", "é😀")]
    [InlineData("""[""]""", "")]
    public void ReadEventName_ReturnsTheFirstElement(string json, string expected)
    {
        Assert.Equal(expected, SocketIoJsonArray.ReadEventName(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[1,\"x\"]")]
    [InlineData("[null]")]
    [InlineData("[{\"name\":\"x\"}]")]
    [InlineData("[[\"x\"]]")]
    [InlineData("{\"a\":1}")]
    [InlineData("\"chat\"")]
    [InlineData("")]
    [InlineData("[")]
    [InlineData("[\"unterminated")]
    [InlineData("not json")]
    public void ReadEventName_NoStringFirstElement_ThrowsProtocolException(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        var ex = Assert.Throws<SocketIoProtocolException>(() => SocketIoJsonArray.ReadEventName(bytes));

        Assert.InRange(ex.Offset, 0, bytes.Length);
    }

    [Theory]
    [InlineData("""["chat",{"text":"hi"}]""", 0, "\"chat\"")]
    [InlineData("""["chat",{"text":"hi"}]""", 1, """{"text":"hi"}""")]
    [InlineData("""["chat",{"text":"hi"}]""", 2, "")]
    [InlineData("""[{"statusCode":200}]""", 0, """{"statusCode":200}""")]
    [InlineData("""[1,"two",[3,[4]],{"five":5},null,true,false,-6.5e2]""", 0, "1")]
    [InlineData("""[1,"two",[3,[4]],{"five":5},null,true,false,-6.5e2]""", 1, "\"two\"")]
    [InlineData("""[1,"two",[3,[4]],{"five":5},null,true,false,-6.5e2]""", 2, "[3,[4]]")]
    [InlineData("""[1,"two",[3,[4]],{"five":5},null,true,false,-6.5e2]""", 3, """{"five":5}""")]
    [InlineData("""[1,"two",[3,[4]],{"five":5},null,true,false,-6.5e2]""", 4, "null")]
    [InlineData("""[1,"two",[3,[4]],{"five":5},null,true,false,-6.5e2]""", 5, "true")]
    [InlineData("""[1,"two",[3,[4]],{"five":5},null,true,false,-6.5e2]""", 6, "false")]
    [InlineData("""[1,"two",[3,[4]],{"five":5},null,true,false,-6.5e2]""", 7, "-6.5e2")]
    [InlineData("""[1,"two",[3,[4]],{"five":5},null,true,false,-6.5e2]""", 8, "")]
    [InlineData("""[ "a" , { "b" : 1 } ]""", 1, """{ "b" : 1 }""")]
    [InlineData("""["a\"b",2]""", 0, "\"a\\\"b\"")]
    [InlineData("[]", 0, "")]
    public void GetElement_ReturnsTheRawJsonOfThatElement(string json, int index, string expected)
    {
        var element = SocketIoJsonArray.GetElement(Encoding.UTF8.GetBytes(json), index);

        Assert.Equal(expected, Encoding.UTF8.GetString(element.Span));
    }

    [Fact]
    public void GetElement_ReturnsASliceOfTheInput()
    {
        var bytes = """["chat",{"text":"hi"}]"""u8.ToArray();
        ReadOnlyMemory<byte> array = bytes;

        var element = SocketIoJsonArray.GetElement(array, 1);

        Assert.True(array.Span[8..^1].Overlaps(element.Span, out var offset) && offset == 0);
        Assert.Equal(bytes.Length - 9, element.Length);
    }

    [Theory]
    [InlineData("{\"a\":1}")]
    [InlineData("\"x\"")]
    [InlineData("")]
    [InlineData("[1,")]
    [InlineData("[1,}")]
    [InlineData("[{\"a\":]")]
    public void GetElement_NotAJsonArray_ThrowsProtocolException(string json)
    {
        Assert.Throws<SocketIoProtocolException>(() => SocketIoJsonArray.GetElement(Encoding.UTF8.GetBytes(json), 5));
    }

    [Fact]
    public void GetElement_NegativeIndex_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SocketIoJsonArray.GetElement("[1]"u8.ToArray(), -1));
    }
}
