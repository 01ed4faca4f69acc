using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Testing.Protocol;

namespace SailSocket.Testing.Transport;

/// <summary>
/// The loopback transport: a <see cref="TcpListener"/> on 127.0.0.1 and a minimal HTTP/1.1 reader that answers the
/// WebSocket upgrade (RFC 6455 §4.2) or refuses it with a raw HTTP response as engine.io does (protocol.md §2.9), then a
/// server-side <see cref="WebSocket"/> over the connection. <c>HttpListener</c> was not used: it needs a URL ACL on
/// Windows and a <c>Host</c> match, and a test kit should behave the same everywhere.
/// </summary>
internal sealed class LoopbackListener : IAsyncDisposable
{
    /// <summary>The largest request head read (the handshake is a few hundred bytes; cookies and tokens make it longer).</summary>
    private const int MaxHeadBytes = 32 * 1024;

    /// <summary>How long a client has to send its request head (real time) before the connection is closed.</summary>
    private static readonly TimeSpan s_headTimeout = TimeSpan.FromSeconds(10);

    private readonly FakeSailsServer _server;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private LoopbackListener(FakeSailsServer server)
    {
        _server = server;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public static LoopbackListener Start(FakeSailsServer server) => new(server);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandshakeAsync(client));
        }
    }

    private async Task HandshakeAsync(TcpClient client)
    {
        client.NoDelay = true;
        var stream = client.GetStream();
        var accepted = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(s_headTimeout);
            var head = await ReadHeadAsync(stream, timeout.Token).ConfigureAwait(false);
            if (head is null || !TryParse(head, out var target, out var headers))
            {
                await RespondAsync(stream, 400, "Bad Request", "Bad request").ConfigureAwait(false);
                return;
            }

            var question = target.IndexOf('?', StringComparison.Ordinal);
            var path = question < 0 ? target : target[..question];
            var prefix = _server.Options.Path.TrimEnd('/');
            if (!(path + "/").StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                await RespondAsync(stream, 404, "Not Found", "Not Found").ConfigureAwait(false);
                return;
            }

            var query = SailsEnvelopeReader.ParseQuery(question < 0 ? ReadOnlySpan<char>.Empty : target.AsSpan(question + 1));
            if (_server.CheckHandshake(query) is { } refusal)
            {
                await RespondAsync(stream, refusal.Status, "Refused", refusal.Body).ConfigureAwait(false);
                return;
            }

            if (!headers.TryGetValue("upgrade", out var upgrade) || !upgrade.Equals("websocket", StringComparison.OrdinalIgnoreCase)
                || !headers.TryGetValue("sec-websocket-key", out var key))
            {
                await RespondAsync(stream, 400, "Bad Request", "Bad request").ConfigureAwait(false);
                return;
            }

            // SHA-1 is what RFC 6455 §4.2.2 fixes for Sec-WebSocket-Accept: a handshake check, not a security measure.
#pragma warning disable CA5350
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key.Trim() + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
            var response = $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response), timeout.Token).ConfigureAwait(false);
            var webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            _server.Accept(webSocket, new OwnedStream(stream, client), query, headers);
            accepted = true;
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, or was too slow to send its head.
        }
        finally
        {
            if (!accepted)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        // One byte at a time: nothing past the head may be consumed, it belongs to the WebSocket.
        var head = new byte[MaxHeadBytes];
        var length = 0;
        while (length < head.Length)
        {
            var read = await stream.ReadAsync(head.AsMemory(length, 1), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length++;
            if (length >= 4 && head.AsSpan(length - 4, 4).SequenceEqual("\r\n\r\n"u8))
            {
                return Encoding.Latin1.GetString(head, 0, length);
            }
        }

        return null;
    }

    private static bool TryParse(string head, out string target, out Dictionary<string, string> headers)
    {
        headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        target = "";
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0] != "GET" || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return false;
        }

        target = requestLine[1];
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
            }
        }

        return target.StartsWith('/');
    }

    private static async Task RespondAsync(NetworkStream stream, int status, string reason, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var contentType = body.StartsWith('{') ? "application/json" : "text/html";
        var head = string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\n\r\n");
        using var timeout = new CancellationTokenSource(s_headTimeout);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token).ConfigureAwait(false);
        await stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
        stream.Socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>The connection's stream, which also closes the <see cref="TcpClient"/> when disposed.</summary>
    private sealed class OwnedStream(NetworkStream inner, TcpClient client) : Stream
    {
        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                client.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
