using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Security;

/// <summary>
/// Hostile servers on the Sails layer's plain HTTP requests (issue 14): a huge cookie-route or CSRF answer is not read
/// whole, a cookie route that never answers is a reported and retried connect error, and a 3xx on the handshake is not
/// followed. Each server is a scripted raw-HTTP listener on loopback.
/// </summary>
public sealed class HostileHttpTests
{
    private const long Huge = 400L * 1024 * 1024;

    /// <summary>Well above what loopback socket buffers take before a closed reader makes the writer fail.</summary>
    private const long NotReadWhole = 100L * 1024 * 1024;

    [Fact]
    public async Task A_huge_cookie_route_answer_is_not_read()
    {
        var cookieRouteDone = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new RawHttpServer(async (request, stream, ct) =>
        {
            if (request.Path.StartsWith("/__getcookie", StringComparison.Ordinal))
            {
                await RawHttpServer.WriteHeadAsync(stream, $"HTTP/1.1 200 OK\r\nSet-Cookie: sails.sid=hostile-sid; Path=/\r\nContent-Type: text/plain\r\nContent-Length: {Huge}\r\n\r\n", ct);
                cookieRouteDone.TrySetResult(await RawHttpServer.WriteFloodAsync(stream, Huge, ct));
                return;
            }

            // The handshake that follows: refused, so the connect ends here (the cookie route is what is played).
            await RawHttpServer.WriteHeadAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct);
        });

        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, UseCorsRouteToGetCookie = true, Transports = EngineTransports.Polling, ConnectTimeout = TimeSpan.FromSeconds(20) });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(30))).Within(40);
        Assert.Equal(404, error.HttpStatusCode);
        Assert.Equal("hostile-sid", client.Cookies.GetCookies(server.Url)["sails.sid"]?.Value);
        Assert.Contains(server.Requests, r => r.Path.StartsWith("/socket.io/", StringComparison.Ordinal) && r.Head.Contains("sails.sid=hostile-sid", StringComparison.Ordinal));

        // The client closed the connection after the headers: the server's writes failed long before 400 MB.
        var written = await cookieRouteDone.Task.Within(20);
        Assert.InRange(written, 0, NotReadWhole);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_huge_csrf_answer_fails_at_the_bound(bool announcesLength)
    {
        var routeDone = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new RawHttpServer(async (request, stream, ct) =>
        {
            var head = announcesLength
                ? $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Huge}\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
            await RawHttpServer.WriteHeadAsync(stream, head + "{\"_csrf\":\"", ct);
            routeDone.TrySetResult(await RawHttpServer.WriteFloodAsync(stream, Huge, ct));
        });

        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, ConnectTimeout = TimeSpan.FromSeconds(20) });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.GetCsrfTokenAsync(cancellationToken: Bound.Seconds(30))).Within(40);
        Assert.Contains("64 KiB", error.Message, StringComparison.Ordinal);
        var written = await routeDone.Task.Within(20);
        Assert.InRange(written, 0, NotReadWhole);
    }

    [Fact]
    public async Task A_hung_cookie_route_is_a_timeout_that_reconnection_retries_then_gives_up_on()
    {
        var cookieRequests = 0;
        await using var server = new RawHttpServer(async (request, stream, ct) =>
        {
            Interlocked.Increment(ref cookieRequests);
            await Task.Delay(Timeout.Infinite, ct); // never answers
        });

        var reconnection = new SailsReconnectionOptions { Enabled = true, Attempts = 2, Delay = TimeSpan.FromMilliseconds(50), DelayMax = TimeSpan.FromMilliseconds(100) };
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, UseCorsRouteToGetCookie = true, ConnectTimeout = TimeSpan.FromSeconds(1), Reconnection = reconnection });
        await using var socket = client.CreateSocket();
        var errors = new ConcurrentQueue<SailsConnectionEventArgs>();
        var failed = new TaskCompletionSource<SailsConnectionEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.ConnectError += (_, e) => errors.Enqueue(e);
        socket.ReconnectFailed += (_, e) => failed.TrySetResult(e);

        // The wait is bounded by ConnectTimeout in all; the attempts go on behind it.
        await Assert.ThrowsAsync<SailsTimeoutException>(() => socket.ConnectAsync(Bound.Seconds(30))).Within(40);

        var gaveUp = await failed.Task.Within(20);
        Assert.Equal(2, gaveUp.Attempt);
        var timeout = Assert.IsType<SailsTimeoutException>(gaveUp.Exception);
        Assert.Contains("cookie route", timeout.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(timeout.InnerException);
        await Bound.Until(() => errors.Count == 3, 10);
        Assert.Equal([0, 1, 2], errors.Select(e => e.Attempt));
        Assert.All(errors, e => Assert.IsType<SailsTimeoutException>(e.Exception));
        Assert.Equal(3, Volatile.Read(ref cookieRequests));
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
    }

    [Theory]
    [InlineData(EngineTransports.WebSocket)]
    [InlineData(EngineTransports.Polling)]
    public async Task A_redirected_handshake_is_not_followed_and_names_the_target_origin_only(EngineTransports transports)
    {
        await using var elsewhere = new RawHttpServer((_, stream, ct) =>
            RawHttpServer.WriteHeadAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct));
        var location = $"http://localhost:{elsewhere.Url.Port}/secret-path/x?token=s3cr3t-redirect";
        await using var server = new RawHttpServer((_, stream, ct) =>
            RawHttpServer.WriteHeadAsync(stream, $"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct));

        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = server.Url,
            Transports = transports,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            InitialConnectionHeaders = [new("x-api-key", "key-for-the-first-origin")],
        });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(20))).Within(30);

        // The client fails only after the answer it gets: had it followed, the other origin would have been asked first.
        Assert.Empty(elsewhere.Requests);
        Assert.Equal(302, error.HttpStatusCode);
        var engine = Assert.IsType<EngineConnectionException>(error.InnerException);
        Assert.Equal(EngineConnectionError.HandshakeRefused, engine.Error);
        Assert.Equal(302, engine.HttpStatusCode);
        foreach (var message in new[] { error.Message, engine.Message })
        {
            Assert.Contains("302", message, StringComparison.Ordinal);
            Assert.Contains($"http://localhost:{elsewhere.Url.Port}", message, StringComparison.Ordinal);
            Assert.DoesNotContain("secret-path", message, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cr3t", message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(EngineTransports.WebSocket)]
    [InlineData(EngineTransports.Polling)]
    public async Task The_engine_layer_alone_does_not_follow_a_redirected_handshake(EngineTransports transports)
    {
        await using var elsewhere = new RawHttpServer((_, stream, ct) =>
            RawHttpServer.WriteHeadAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct));
        await using var server = new RawHttpServer((_, stream, ct) =>
            RawHttpServer.WriteHeadAsync(stream, $"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://localhost:{elsewhere.Url.Port}/p?sig=s3cr3t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct));

        var error = await Assert.ThrowsAsync<EngineConnectionException>(() =>
            EngineConnection.ConnectAsync(new EngineOptions { Url = server.Url, Transports = transports, ConnectTimeout = TimeSpan.FromSeconds(10) }, Bound.Seconds(20))).Within(30);
        Assert.Empty(elsewhere.Requests);
        Assert.Equal(EngineConnectionError.HandshakeRefused, error.Error);
        Assert.Equal(307, error.HttpStatusCode);
        Assert.Contains("307", error.Message, StringComparison.Ordinal);
        Assert.Contains($"http://localhost:{elsewhere.Url.Port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>One request a <see cref="RawHttpServer"/> read: its path and its whole head (request line and headers).</summary>
internal sealed record RawHttpRequest(string Path, string Head);

/// <summary>
/// A scripted HTTP/1.1 server on 127.0.0.1: each connection's first request head is read, recorded, and handed with the
/// stream to the script, then the connection is closed. Everything stops when it is disposed.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RawHttpRequest> _requests = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Func<RawHttpRequest, NetworkStream, CancellationToken, Task> _script;
    private readonly Task _accepting;

    public RawHttpServer(Func<RawHttpRequest, NetworkStream, CancellationToken, Task> script)
    {
        _script = script;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    public IReadOnlyCollection<RawHttpRequest> Requests => _requests;

    public static Task WriteHeadAsync(NetworkStream stream, string text, CancellationToken ct) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct).AsTask();

    /// <summary>Writes up to <paramref name="total"/> bytes of 'a' until the peer is gone; returns how many were written.</summary>
    public static async Task<long> WriteFloodAsync(NetworkStream stream, long total, CancellationToken ct)
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        long written = 0;
        try
        {
            while (written < total)
            {
                await stream.WriteAsync(chunk, ct);
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
        }
        catch (OperationCanceledException)
        {
        }

        return written;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
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

            _connections.Add(ServeAsync(tcp));
        }
    }

    private async Task ServeAsync(TcpClient tcp)
    {
        using var _ = tcp;
        var stream = tcp.GetStream();
        try
        {
            var head = await ReadHeadAsync(stream, _stop.Token);
            if (head is null)
            {
                return;
            }

            var line = head[..head.IndexOf('\r', StringComparison.Ordinal)].Split(' ');
            var request = new RawHttpRequest(line.Length > 1 ? line[1] : string.Empty, head);
            _requests.Enqueue(request);
            await _script(request, stream, _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0)
            {
                return null;
            }

            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                return text;
            }
        }

        return null;
    }
}
