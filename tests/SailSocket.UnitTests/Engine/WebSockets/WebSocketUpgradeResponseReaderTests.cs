using System.Text;
using SailSocket.Engine;
using SailSocket.Engine.Transports.WebSockets;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets;

/// <summary>
/// The upgrade answer's head, as strict as the BCL's handler: every prefix of a valid head is "not yet", the whole head
/// is read with the exact length consumed, and each malformation throws <see cref="EngineProtocolException"/> at its offset.
/// </summary>
public sealed class WebSocketUpgradeResponseReaderTests
{
    // As socket.io 4.8.1 (ws 8.17) answers, for the RFC 6455 §1.3 example key "dGhlIHNhbXBsZSBub25jZQ==".
    private const string SwitchingHead =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

    [Fact]
    public void A_switching_head_is_read_and_the_frames_behind_it_are_left()
    {
        var bytes = Encoding.ASCII.GetBytes(SwitchingHead + "\u0081\u00020x");

        Assert.True(WebSocketUpgradeResponseReader.TryRead(bytes, out var response));

        Assert.Equal(101, response.StatusCode);
        Assert.Equal(SwitchingHead.Length, response.HeadLength);
        Assert.True(response.UpgradeIsWebSocket);
        Assert.True(response.ConnectionHasUpgrade);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Encoding.ASCII.GetString(bytes, response.AcceptStart, response.AcceptLength));
        Assert.False(response.HasExtensions);
        Assert.False(response.HasSubProtocol);
        Assert.Equal(-1, response.ContentLength);
    }

    [Fact]
    public void Every_prefix_of_a_head_is_incomplete()
    {
        var bytes = Encoding.ASCII.GetBytes(SwitchingHead);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(WebSocketUpgradeResponseReader.TryRead(bytes.AsSpan(0, length), out _), $"prefix of {length} bytes");
        }

        Assert.True(WebSocketUpgradeResponseReader.TryRead(bytes, out _));
    }

    [Fact]
    public void The_accept_value_is_the_one_of_RFC_6455()
    {
        Span<byte> accept = stackalloc byte[WebSocketUpgradeRequest.AcceptLength];
        WebSocketUpgradeRequest.ComputeAccept("dGhlIHNhbXBsZSBub25jZQ==", accept);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Encoding.ASCII.GetString(accept));
    }

    [Fact]
    public void Header_names_are_matched_ignoring_case_and_Connection_is_a_token_list()
    {
        var bytes = Encoding.ASCII.GetBytes("HTTP/1.1 101 OK\r\nupgrade:WebSocket\r\nconnection: keep-alive, Upgrade \r\nsec-websocket-accept:\tx\t\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\n");

        Assert.True(WebSocketUpgradeResponseReader.TryRead(bytes, out var response));

        Assert.True(response.UpgradeIsWebSocket);
        Assert.True(response.ConnectionHasUpgrade);
        Assert.Equal("x", Encoding.ASCII.GetString(bytes, response.AcceptStart, response.AcceptLength));
        Assert.Equal(["a=1", "b=2"], WebSocketUpgradeResponseReader.GetValues(bytes.AsSpan(0, response.HeadLength), "Set-Cookie"u8));
    }

    [Fact]
    public void A_refusal_carries_its_status_length_and_location()
    {
        var bytes = Encoding.ASCII.GetBytes("HTTP/1.1 302 Found\r\nLocation: https://b.example/x\r\nContent-Length: 12\r\n\r\n");

        Assert.True(WebSocketUpgradeResponseReader.TryRead(bytes, out var response));

        Assert.Equal(302, response.StatusCode);
        Assert.Equal(12, response.ContentLength);
        Assert.Equal("https://b.example/x", Encoding.ASCII.GetString(bytes, response.LocationStart, response.LocationLength));
    }

    [Theory]
    [InlineData("HTTP/2 101 X\r\n\r\n", 0)]
    [InlineData("HTTX/1.1 101 X\r\n\r\n", 0)]
    [InlineData("HTTP/1.1 1O1 X\r\n\r\n", 8)]
    [InlineData("HTTP/1.1 099 X\r\n\r\n", 8)]
    [InlineData("HTTP/1.1 1011 X\r\n\r\n", 12)]
    [InlineData("HTTP/1.1 101 X\0\r\n\r\n", 14)]
    [InlineData("HTTP/1.1 101 X\r\n folded: yes\r\n\r\n", 16)]
    [InlineData("HTTP/1.1 101 X\r\nno colon\r\n\r\n", 16)]
    [InlineData("HTTP/1.1 101 X\r\n: empty\r\n\r\n", 16)]
    [InlineData("HTTP/1.1 101 X\r\nbad name: v\r\n\r\n", 19)]
    [InlineData("HTTP/1.1 101 X\r\nA: v\u0001\r\n\r\n", 20)]
    [InlineData("HTTP/1.1 101 X\r\nA: v\nB: w\r\n\r\n", 20)]
    [InlineData("HTTP/1.1 101 X\r\nSec-WebSocket-Accept: a\r\nSec-WebSocket-Accept: b\r\n\r\n", 41)]
    [InlineData("HTTP/1.1 400 X\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 35)]
    [InlineData("HTTP/1.1 400 X\r\nContent-Length: -1\r\n\r\n", 16)]
    public void A_malformed_head_throws_at_its_offset(string head, int offset)
    {
        var ex = Assert.Throws<EngineProtocolException>(() => WebSocketUpgradeResponseReader.TryRead(Encoding.Latin1.GetBytes(head), out _));
        Assert.Equal(offset, ex.Offset);
    }

    [Fact]
    public void A_bad_status_line_fails_before_the_head_is_complete()
    {
        Assert.Throws<EngineProtocolException>(() => WebSocketUpgradeResponseReader.TryRead("SSH-2.0-OpenSSH_9\r\n"u8, out _));
    }

    [Fact]
    public void A_head_over_64_KiB_is_refused_whether_or_not_it_ends()
    {
        var endless = Encoding.ASCII.GetBytes("HTTP/1.1 101 X\r\nX-Pad: " + new string('a', WebSocketUpgradeResponseReader.MaxHeadLength));
        Assert.Throws<EngineProtocolException>(() => WebSocketUpgradeResponseReader.TryRead(endless, out _));

        var ended = Encoding.ASCII.GetBytes("HTTP/1.1 101 X\r\nX-Pad: " + new string('a', WebSocketUpgradeResponseReader.MaxHeadLength) + "\r\n\r\n");
        Assert.Throws<EngineProtocolException>(() => WebSocketUpgradeResponseReader.TryRead(ended, out _));
    }
}
