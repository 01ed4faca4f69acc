using System.Text;
using BenchmarkDotNet.Attributes;
using SailSocket.Engine.Transports.WebSockets;

namespace SailSocket.Benchmarks;

/// <summary>
/// Reading the head of a WebSocket upgrade answer: the managed engine's <see cref="WebSocketUpgradeResponseReader"/>
/// (offsets into the bytes, no string) against the usual approach (decode to a string, split lines, a dictionary of
/// headers). <see cref="Headers"/> 4 is socket.io's 101; 24 adds the cookies and headers a proxy or load balancer adds.
/// </summary>
public class UpgradeResponseBenchmarks
{
    private byte[] _head = [];

    [Params(4, 24)]
    public int Headers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");
        for (var i = 4; i < Headers; i++)
        {
            text.Append(i % 2 == 0 ? $"Set-Cookie: c{i}=v{i}abcdefghijklmnopqrstuvwxyz; Path=/; HttpOnly\r\n" : $"X-Proxy-Header-{i}: value-{i}\r\n");
        }

        text.Append("\r\n");
        _head = Encoding.ASCII.GetBytes(text.ToString());
        if (Naive() != Reader())
        {
            throw new InvalidOperationException("The readers disagree.");
        }
    }

    [Benchmark(Baseline = true, Description = "string, split lines, header dictionary")]
    public int Naive()
    {
        var text = Encoding.ASCII.GetString(_head);
        var lines = text.Split("\r\n");
        var status = int.Parse(lines[0].AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Length && lines[i].Length > 0; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
        }

        var ok = headers.TryGetValue("Upgrade", out var upgrade) && string.Equals(upgrade, "websocket", StringComparison.OrdinalIgnoreCase)
            && headers.ContainsKey("Sec-WebSocket-Accept");
        return ok ? status : -1;
    }

    [Benchmark(Description = "WebSocketUpgradeResponseReader")]
    public int Reader()
    {
        WebSocketUpgradeResponseReader.TryRead(_head, out var response);
        return response.UpgradeIsWebSocket && response.AcceptStart >= 0 ? response.StatusCode : -1;
    }
}
