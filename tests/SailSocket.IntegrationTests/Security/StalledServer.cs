using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace SailSocket.IntegrationTests.Security;

/// <summary>
/// A scripted Engine.IO 4 / Socket.IO 5 server on 127.0.0.1 that connects a client properly, then stops reading (issue 14):
/// over WebSocket it answers the upgrade (with a computed <c>Sec-WebSocket-Accept</c>), sends the open packet, reads the
/// client's <c>40</c>, answers <c>40{"sid":…}</c> and never reads again, with a small receive buffer so the TCP window
/// fills fast; over long-polling it answers the handshake GET, the <c>40</c> POST and the GET that carries the CONNECT
/// reply, then never answers a POST (its body is not read) and holds every later GET open.
/// </summary>
/// <remarks>
/// The open packet announces Sails' heartbeat (25 s + 60 s) and sends no ping, so nothing but the client's own bounds
/// can end a stalled connection within a test. Every connection is closed when the server is disposed.
/// </remarks>
internal sealed class StalledServer : IAsyncDisposable
{
    /// <summary>The receive buffer of every accepted socket: small, so that a client's writes block after a few hundred KB.</summary>
    public const int ReceiveBufferSize = 4096;

    private const string OpenPacket = "0{\"sid\":\"stalled-sid\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":60000,\"maxPayload\":100000000}";
    private const string ConnectReply = "40{\"sid\":\"stalled-socket\"}";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _accepting;
    private readonly TaskCompletionSource _connectPosted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _polls;
    private int _unansweredPosts;

    public StalledServer()
    {
        _listener.Server.ReceiveBufferSize = ReceiveBufferSize;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    /// <summary>Set once the server has connected a client and stopped reading.</summary>
    public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many polling POSTs arrived after the connect (none of them is answered).</summary>
    public int UnansweredPosts => Volatile.Read(ref _unansweredPosts);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _accepting.Within(10);
        await Task.WhenAll(_connections).Within(10);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            tcp.ReceiveBufferSize = ReceiveBufferSize;
            _clients.Add(tcp);
            _connections.Add(ServeAsync(tcp));
        }
    }

    private async Task ServeAsync(TcpClient tcp)
    {
        var stream = tcp.GetStream();
        var ct = _stop.Token;
        try
        {
            // HTTP/1.1 keep-alive: one request after the other on this connection.
            while (true)
            {
                var head = await ReadHeadAsync(stream, ct);
                if (head is null)
                {
                    return;
                }

                var line = head[..head.IndexOf('\r', StringComparison.Ordinal)].Split(' ');
                var path = line.Length > 1 ? line[1] : string.Empty;
                if (path.Contains("transport=websocket", StringComparison.Ordinal))
                {
                    await ServeWebSocketAsync(stream, head, ct);
                    return;
                }

                if (!await ServePollingAsync(stream, line[0], path, head, ct))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeWebSocketAsync(NetworkStream stream, string head, CancellationToken ct)
    {
        var key = Header(head, "Sec-WebSocket-Key") ?? throw new IOException("No Sec-WebSocket-Key.");
#pragma warning disable CA5350 // RFC 6455 §4.2.2 defines Sec-WebSocket-Accept with SHA-1; it is not used for security here.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        await WriteAsync(stream, $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n", ct);
        await stream.WriteAsync(TextFrame(OpenPacket), ct);

        // The client's CONNECT ("40"), then the reply; after that nothing is read again.
        var connect = await ReadFrameAsync(stream, ct);
        if (!connect.StartsWith("40", StringComparison.Ordinal))
        {
            throw new IOException($"Expected the Socket.IO CONNECT, got '{connect}'.");
        }

        await stream.WriteAsync(TextFrame(ConnectReply), ct);
        Stalled.TrySetResult();
        await Task.Delay(Timeout.Infinite, ct);
    }

    /// <returns>Whether the connection may carry another request.</returns>
    private async Task<bool> ServePollingAsync(NetworkStream stream, string method, string path, string head, CancellationToken ct)
    {
        var hasSession = path.Contains("sid=", StringComparison.Ordinal);
        if (method == "GET" && !hasSession)
        {
            await WriteOkAsync(stream, OpenPacket, ct);
            return true;
        }

        if (method == "POST")
        {
            if (Stalled.Task.IsCompleted)
            {
                // Never answered, and its body never read.
                Interlocked.Increment(ref _unansweredPosts);
                await Task.Delay(Timeout.Infinite, ct);
                return false;
            }

            var length = int.Parse(Header(head, "Content-Length") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            var body = new byte[length];
            await stream.ReadExactlyAsync(body, ct);
            if (Encoding.UTF8.GetString(body).StartsWith("40", StringComparison.Ordinal))
            {
                _connectPosted.TrySetResult();
            }

            await WriteOkAsync(stream, "ok", ct);
            return true;
        }

        // A GET of the session: the first carries the CONNECT reply (once the client has posted its CONNECT), later ones hang.
        if (Interlocked.Increment(ref _polls) == 1)
        {
            await _connectPosted.Task.WaitAsync(ct);
            await WriteOkAsync(stream, ConnectReply, ct);
            Stalled.TrySetResult();
            return true;
        }

        await Task.Delay(Timeout.Infinite, ct);
        return false;
    }

    private static Task WriteOkAsync(NetworkStream stream, string body, CancellationToken ct) =>
        WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}", ct);

    private static Task WriteAsync(NetworkStream stream, string text, CancellationToken ct) =>
        stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).AsTask();

    private static string? Header(string head, string name)
    {
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && string.Equals(line[..colon].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    /// <summary>An unmasked, unfragmented text frame (server to client).</summary>
    private static byte[] TextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        using var frame = new MemoryStream();
        frame.WriteByte(0x81);
        if (payload.Length < 126)
        {
            frame.WriteByte((byte)payload.Length);
        }
        else
        {
            frame.WriteByte(126);
            frame.WriteByte((byte)(payload.Length >> 8));
            frame.WriteByte((byte)payload.Length);
        }

        frame.Write(payload);
        return frame.ToArray();
    }

    /// <summary>Reads one small masked frame from the client and returns its text.</summary>
    private static async Task<string> ReadFrameAsync(NetworkStream stream, CancellationToken ct)
    {
        var header = new byte[2];
        await stream.ReadExactlyAsync(header, ct);
        var length = header[1] & 0x7F;
        if (length == 126)
        {
            var extended = new byte[2];
            await stream.ReadExactlyAsync(extended, ct);
            length = (extended[0] << 8) | extended[1];
        }
        else if (length == 127)
        {
            throw new IOException("A frame too large for this scripted server.");
        }

        var mask = new byte[4];
        if ((header[1] & 0x80) != 0)
        {
            await stream.ReadExactlyAsync(mask, ct);
        }

        var payload = new byte[length];
        await stream.ReadExactlyAsync(payload, ct);
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] ^= mask[i % 4];
        }

        return Encoding.UTF8.GetString(payload);
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken ct)
    {
        // Byte by byte: nothing after the head may be consumed (a POST body, or the WebSocket's first frame).
        var buffer = new List<byte>(1024);
        var one = new byte[1];
        while (buffer.Count < 16 * 1024)
        {
            if (await stream.ReadAsync(one, ct) == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            var n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n')
            {
                return Encoding.ASCII.GetString(buffer.ToArray());
            }
        }

        return null;
    }
}
