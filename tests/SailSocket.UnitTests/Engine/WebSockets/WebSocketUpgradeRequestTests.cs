using System.Buffers;
using System.Text;
using SailSocket.Engine.Transports.WebSockets;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets;

/// <summary>The upgrade request as written: exact bytes, the writer's own headers never doubled, no header splitting.</summary>
public sealed class WebSocketUpgradeRequestTests
{
    [Fact]
    public void The_request_is_written_exactly()
    {
        var writer = new ArrayBufferWriter<byte>();

        WebSocketUpgradeRequest.Write(
            writer,
            new Uri("ws://127.0.0.1:1337/socket.io/?token=a%20b&EIO=4&transport=websocket"),
            "dGhlIHNhbXBsZSBub25jZQ==",
            [new("Origin", "http://app"), new("Upgrade", "h2c"), new("Cookie", "user=1"), new("sec-websocket-key", "x")],
            "user=1; sid=2");

        Assert.Equal(
            "GET /socket.io/?token=a%20b&EIO=4&transport=websocket HTTP/1.1\r\n" +
            "Host: 127.0.0.1:1337\r\n" +
            "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
            "Origin: http://app\r\n" +
            "Cookie: user=1; sid=2\r\n\r\n",
            Encoding.ASCII.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void A_default_port_is_left_out_of_Host_and_a_Host_header_replaces_it()
    {
        var writer = new ArrayBufferWriter<byte>();
        WebSocketUpgradeRequest.Write(writer, new Uri("wss://example.com/socket.io/"), "k", [], null);
        Assert.Contains("\r\nHost: example.com\r\n", Encoding.ASCII.GetString(writer.WrittenSpan));

        writer.Clear();
        WebSocketUpgradeRequest.Write(writer, new Uri("ws://[::1]:8080/socket.io/"), "k", [new("Host", "front.example")], null);
        var text = Encoding.ASCII.GetString(writer.WrittenSpan);
        Assert.Contains("\r\nHost: front.example\r\n", text);
        Assert.DoesNotContain("[::1]", text);
    }

    [Fact]
    public void A_value_that_would_split_the_request_is_refused_without_echoing_it()
    {
        var writer = new ArrayBufferWriter<byte>();
        var ex = Assert.Throws<ArgumentException>(() => WebSocketUpgradeRequest.Write(writer, new Uri("ws://h/"), "k", [new("X-Token", "secret\r\nEvil: 1")], null));
        Assert.DoesNotContain("secret", ex.Message);
    }

    [Fact]
    public void Keys_are_fresh_base64_of_16_bytes()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => WebSocketUpgradeRequest.NewKey()).ToList();
        Assert.All(keys, k => Assert.Equal(16, Convert.FromBase64String(k).Length));
        Assert.Equal(100, keys.Distinct().Count());
    }
}
