using System.Collections.Concurrent;
using System.Text;
using SailSocket.Engine;
using SailSocket.Engine.Diagnostics;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Diagnostics;

/// <summary>
/// <see cref="SailsClientOptions.FrameObserver"/> (the seam behind <c>sailsocket --trace</c>) with the real Sails app:
/// it sees the packets both ways, in wire form, binary ones flagged, over WebSocket and long-polling.
/// </summary>
public sealed class FrameObserverTests
{
    [Theory]
    [InlineData(EngineTransports.WebSocket)]
    [InlineData(EngineTransports.Polling)]
    public async Task The_observer_sees_connect_request_response_and_binary_frames(EngineTransports transports)
    {
        var server = await SharedSailsServer.GetAsync();
        var frames = new RecordingObserver();
        await using (var client = new SailsClient(new SailsClientOptions { Url = server.Url, Transports = transports, FrameObserver = frames }))
        {
            var socket = await client.ConnectAsync(Bound.Seconds(15));
            (await socket.GetAsync("/echo?probe=frame-observer", Bound.Seconds(10))).EnsureSuccessStatusCode();
            var binary = await socket.GetAsync("/binary", Bound.Seconds(10));
            Assert.True(binary.TryGetBinaryBody(out _));
        }

        var sent = frames.Sent.ToArray();
        var received = frames.Received.ToArray();
        Assert.Contains(sent, f => !f.Binary && f.Text == "40");
        Assert.Contains(sent, f => !f.Binary && f.Text.StartsWith("420[\"get\",", StringComparison.Ordinal) && f.Text.Contains("/echo?probe=frame-observer", StringComparison.Ordinal));
        Assert.Contains(received, f => !f.Binary && f.Text.StartsWith("40{\"sid\":", StringComparison.Ordinal));
        Assert.Contains(received, f => !f.Binary && f.Text.StartsWith("43", StringComparison.Ordinal) && f.Text.Contains("\"probe\":\"frame-observer\"", StringComparison.Ordinal));
        if (transports == EngineTransports.WebSocket)
        {
            // The open packet of a WebSocket handshake (a polling handshake's body is not a frame of the connection).
            Assert.StartsWith("0{\"sid\":", received[0].Text, StringComparison.Ordinal);
        }

        // Socket.IO sends a binary attachment as a packet of its own, as it is on the wire: 4 bytes flagged binary on a
        // WebSocket, a base64 text packet ("b" + base64 of 01 02 03 FA) in an Engine.IO 4 polling payload.
        if (transports == EngineTransports.WebSocket)
        {
            Assert.Contains(received, f => f.Binary && f.Length == 4);
        }
        else
        {
            Assert.Contains(received, f => !f.Binary && f.Text == "bAQID+g==");
        }
        Assert.Contains(sent, f => f.Text == "41");
    }

    private sealed class RecordingObserver : EngineFrameObserver
    {
        public ConcurrentQueue<(bool Binary, string Text, int Length)> Sent { get; } = new();

        public ConcurrentQueue<(bool Binary, string Text, int Length)> Received { get; } = new();

        public override void OnSent(ReadOnlySpan<byte> frame, bool isBinary) => Sent.Enqueue((isBinary, isBinary ? string.Empty : Encoding.UTF8.GetString(frame), frame.Length));

        public override void OnReceived(ReadOnlySpan<byte> frame, bool isBinary) => Received.Enqueue((isBinary, isBinary ? string.Empty : Encoding.UTF8.GetString(frame), frame.Length));
    }
}
