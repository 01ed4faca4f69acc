using System.Net.WebSockets;
using System.Text;
using SailSocket.Engine;
using SailSocket.Engine.Transports.WebSockets.Framing;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets.Framing;

/// <summary>Close payloads (RFC 6455 §5.5.1, §7.4) and the order of data frames (§5.4).</summary>
public sealed class WebSocketClosePayloadTests
{
    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1002)]
    [InlineData(1003)]
    [InlineData(1007)]
    [InlineData(1008)]
    [InlineData(1009)]
    [InlineData(1010)]
    [InlineData(1011)]
    [InlineData(1012)]
    [InlineData(1013)]
    [InlineData(1014)]
    [InlineData(3000)]
    [InlineData(4000)]
    [InlineData(4999)]
    public void Codes_that_may_be_sent_are_read_with_their_reason(int code)
    {
        var payload = new byte[2 + 3];
        WebSocketClosePayload.Write(payload, (WebSocketCloseStatus)code, "bye"u8);
        WebSocketClosePayload.Read(payload, out var status, out var reason);
        Assert.Equal((WebSocketCloseStatus)code, status);
        Assert.Equal("bye", Encoding.UTF8.GetString(reason));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2000)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void Codes_that_may_not_be_sent_are_protocol_errors(int code)
    {
        var payload = new byte[2];
        WebSocketClosePayload.Write(payload, (WebSocketCloseStatus)code, default);
        var error = Assert.Throws<EngineProtocolException>(() => WebSocketClosePayload.Read(payload, out _, out _));
        Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_payload_has_no_status_a_one_byte_payload_and_a_reason_that_is_not_utf8_are_errors()
    {
        WebSocketClosePayload.Read(default, out var status, out var reason);
        Assert.Null(status);
        Assert.True(reason.IsEmpty);

        Assert.Contains("one-byte", Assert.Throws<EngineProtocolException>(() => WebSocketClosePayload.Read([0x03], out _, out _)).Message, StringComparison.Ordinal);
        var error = Assert.Throws<EngineProtocolException>(() => WebSocketClosePayload.Read([0x03, 0xE8, 0xC3, 0x28], out _, out _));
        Assert.Equal(2, error.Offset);
        Assert.Equal("A WebSocket close frame's reason is not valid UTF-8 (RFC 6455 §5.5.1). (at byte offset 2)", error.Message); // no payload byte echoed
    }

    [Fact]
    public void Data_frames_follow_the_message_order_of_section_5_4()
    {
        var sequence = default(WebSocketMessageSequence);
        Assert.Equal(WebSocketOpcode.Text, sequence.Accept(new(false, WebSocketOpcode.Text, 1)));
        Assert.True(sequence.InMessage);
        Assert.Equal(WebSocketOpcode.Text, sequence.Accept(new(false, WebSocketOpcode.Continuation, 1)));
        Assert.Equal(WebSocketOpcode.Text, sequence.Accept(new(true, WebSocketOpcode.Continuation, 1)));
        Assert.False(sequence.InMessage);
        Assert.Equal(WebSocketOpcode.Binary, sequence.Accept(new(true, WebSocketOpcode.Binary, 0)));

        Assert.Contains("no message started", Assert.Throws<EngineProtocolException>(() => Accept(default, new(true, WebSocketOpcode.Continuation, 1))).Message, StringComparison.Ordinal);

        var open = default(WebSocketMessageSequence);
        open.Accept(new(false, WebSocketOpcode.Binary, 1));
        Assert.Contains("before the previous one ended", Assert.Throws<EngineProtocolException>(() => Accept(open, new(true, WebSocketOpcode.Text, 1))).Message, StringComparison.Ordinal);
        Assert.Throws<EngineProtocolException>(() => Accept(open, new(false, WebSocketOpcode.Binary, 1)));

        static WebSocketOpcode Accept(WebSocketMessageSequence sequence, WebSocketFrameHeader header) => sequence.Accept(header);
    }
}
