using System;
using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Testing;

/// <summary>A hand-driven client WebSocket, for the few checks of what the fake server puts on the wire.</summary>
internal static class RawClient
{
    public static async Task SendAsync(WebSocket ws, string text)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cts.Token);
    }

    /// <summary>The next message (text) or "close:&lt;status&gt;", bounded by <see cref="TestTimeouts.Default"/>.</summary>
    public static async Task<string> ReceiveAsync(WebSocket ws)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer.GetMemory(4096), cts.Token);
            buffer.Advance(result.Count);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return $"close:{(int?)ws.CloseStatus}";
            }

            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer.WrittenSpan);
            }
        }
    }

    public static async Task<string> ExpectAsync(WebSocket ws, string prefix)
    {
        var message = await ReceiveAsync(ws);
        Assert.StartsWith(prefix, message, StringComparison.Ordinal);
        return message;
    }
}
