using System.Net.WebSockets;
using System.Text;
using SailSocket.Engine;

namespace SailSocket.Benchmarks;

/// <summary>Server WebSocket frames for the receive-path benchmarks, written once by a server-side <see cref="WebSocket"/>.</summary>
internal static class ServerScript
{
    private static readonly WebSocketCreationOptions s_client = new() { IsServer = false, KeepAliveInterval = TimeSpan.Zero };

    /// <summary>The Engine.IO 4 open packet; pingInterval and pingTimeout of an hour, so no heartbeat ends a long run.</summary>
    public static byte[] OpenFrame() =>
        Frames(["""0{"sid":"bench","upgrades":[],"pingInterval":3600000,"pingTimeout":3600000,"maxPayload":1000000}"""]);

    /// <summary><paramref name="count"/> Socket.IO events of ≈ 75 B each.</summary>
    public static byte[] Events(int count) =>
        Frames(Enumerable.Range(0, count).Select(i => "42[\"user\",{\"verb\":\"updated\",\"id\":" + (i % 10) + ",\"data\":{\"name\":\"Kit\",\"species\":\"cat\"}}]"));

    /// <summary>A client WebSocket over <paramref name="stream"/>, without keep-alive pings.</summary>
    public static WebSocket ClientOver(Stream stream) => WebSocket.CreateFromStream(stream, s_client);

    /// <summary>Engine options whose WebSocket is a client over <paramref name="stream"/>.</summary>
    public static EngineOptions EngineOptions(Stream stream) => new()
    {
        Url = new Uri("http://127.0.0.1:9/"),
        WebSocketFactory = (_, _) => ValueTask.FromResult(ClientOver(stream)),
    };

    private static byte[] Frames(IEnumerable<string> texts)
    {
        using var output = new MemoryStream();
        using var server = WebSocket.CreateFromStream(output, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        foreach (var text in texts)
        {
            server.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).GetAwaiter().GetResult();
        }

        return output.ToArray();
    }
}
