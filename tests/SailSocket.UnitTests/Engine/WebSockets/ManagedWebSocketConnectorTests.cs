using System.Buffers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets;

/// <summary>
/// <see cref="EngineWebSocketEngine.Managed"/> against a scripted loopback server: the request it writes, the open packet
/// read from the bytes behind the 101, and every way a server can answer wrongly, each a documented
/// <see cref="EngineConnectionException"/> with no secret in its text.
/// </summary>
[Collection(RealTimeGroup.Name)]
public sealed class ManagedWebSocketConnectorTests
{
    private const string Secret = "s3cr3t-t0ken-value";

    private static readonly byte[] s_openFrame = Frame(WebSocketPeer.OpenPacket());

    [Fact]
    public async Task The_request_is_an_RFC_6455_upgrade_and_the_open_packet_behind_the_head_is_read()
    {
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedUpgradeServer(async (request, stream, ct) =>
        {
            // The head and the first frame in one write: the client must read the frame from what came with the head.
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {ScriptedUpgradeServer.AcceptFor(request)}\r\nSet-Cookie: io=abc; Path=/\r\n\r\n");
            await stream.WriteAsync(head.Concat(s_openFrame).ToArray(), ct);
            using var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            var buffer = new byte[256];
            var result = await ws.ReceiveAsync(buffer, ct);
            received.TrySetResult(Encoding.UTF8.GetString(buffer, 0, result.Count));
        });
        var cookies = new System.Net.CookieContainer();
        var options = Options(server.Url, cookies: cookies);

        await using var connection = await EngineConnection.ConnectAsync(options).WaitAsync(TestTimeouts.Default);
        using var message = EngineMessageWriter.Rent(ArrayPool<byte>.Shared);
        message.Write("hello"u8);
        await connection.SendAsync(message).AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal("MNQeYTmC5hM-mxNWAAAB", connection.Handshake.SessionId);
        Assert.Equal("4hello", await received.Task.WaitAsync(TestTimeouts.Default));
        Assert.Equal("abc", cookies.GetCookies(server.Url)["io"]?.Value);
        var lines = (await server.Request).Split("\r\n");
        Assert.StartsWith("GET /socket.io/?", lines[0]);
        Assert.EndsWith(" HTTP/1.1", lines[0]);
        Assert.Contains("EIO=4", lines[0]);
        Assert.Contains("transport=websocket", lines[0]);
        Assert.Contains($"Host: 127.0.0.1:{server.Port}", lines);
        Assert.Contains("Connection: Upgrade", lines);
        Assert.Contains("Upgrade: websocket", lines);
        Assert.Contains("Sec-WebSocket-Version: 13", lines);
        Assert.Contains("X-Api-Key: " + Secret, lines);
        Assert.Single(lines, l => l.StartsWith("Sec-WebSocket-Key: ", StringComparison.Ordinal) && l.Length == "Sec-WebSocket-Key: ".Length + 24);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n", "Sec-WebSocket-Accept")]
    [InlineData("", "no Sec-WebSocket-Accept")]
    [InlineData("{accept}Sec-WebSocket-Extensions: permessage-deflate\r\n", "extension")]
    [InlineData("{accept}Sec-WebSocket-Protocol: chat\r\n", "subprotocol")]
    public async Task A_switch_that_breaks_RFC_6455_is_a_protocol_error(string extra, string named)
    {
        await using var server = new ScriptedUpgradeServer(async (request, stream, ct) =>
        {
            var headers = extra.Replace("{accept}", $"Sec-WebSocket-Accept: {ScriptedUpgradeServer.AcceptFor(request)}\r\n", StringComparison.Ordinal);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n{headers}\r\n"), ct);
            await stream.WriteAsync(s_openFrame, ct);
        });

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(Options(server.Url)).WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.ProtocolError, ex.Error);
        Assert.Contains(named, ex.Message);
    }

    [Fact]
    public async Task A_malformed_answer_is_a_protocol_error_naming_the_offset_problem()
    {
        await using var server = new ScriptedUpgradeServer(async (_, stream, ct) =>
            await stream.WriteAsync("HTTP/1.1 101 Switching Protocols\r\n folded: line\r\n\r\n"u8.ToArray(), ct));

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(Options(server.Url)).WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.ProtocolError, ex.Error);
        Assert.IsType<EngineProtocolException>(ex.InnerException);
    }

    [Fact]
    public async Task A_refusal_reports_its_status_and_its_body_without_the_secrets_the_request_carried()
    {
        await using var server = new ScriptedUpgradeServer(async (request, stream, ct) =>
        {
            // A server that dumps the request into its error: the key header and the query token.
            var body = Encoding.UTF8.GetBytes($"{{\"message\":\"Not authorized\",\"echo\":\"{Secret} / {Secret}q\"}}");
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"), ct);
            await stream.WriteAsync(body, ct);
        });

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(Options(server.Url)).WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.HandshakeRefused, ex.Error);
        Assert.Equal(403, ex.HttpStatusCode);
        Assert.Contains("Not authorized", ex.HttpResponseBody);
        Assert.Contains("[redacted]", ex.HttpResponseBody);
        Assert.DoesNotContain(Secret, ex.ToString());
    }

    [Fact]
    public async Task A_redirect_is_refused_and_named_by_its_origin_only()
    {
        await using var server = new ScriptedUpgradeServer(async (_, stream, ct) =>
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 302 Found\r\nLocation: https://login.example:8443/sso?token={Secret}\r\nContent-Length: 0\r\n\r\n"), ct));

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(Options(server.Url)).WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.HandshakeRefused, ex.Error);
        Assert.Equal(302, ex.HttpStatusCode);
        Assert.Contains("https://login.example:8443", ex.Message);
        Assert.DoesNotContain(Secret, ex.ToString());
    }

    [Fact]
    public async Task A_server_that_closes_without_answering_is_reported_as_such()
    {
        await using var server = new ScriptedUpgradeServer((_, stream, _) =>
        {
            stream.Socket.Shutdown(SocketShutdown.Both);
            return Task.CompletedTask;
        });

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(Options(server.Url)).WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.Unreachable, ex.Error);
        Assert.Contains("without answering the handshake", ex.Message);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_bounded_by_the_connect_timeout()
    {
        await using var server = new ScriptedUpgradeServer((_, _, ct) => Task.Delay(Timeout.Infinite, ct));

        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<EngineTimeoutException>(() => EngineConnection.ConnectAsync(Options(server.Url, TimeSpan.FromMilliseconds(500))).WaitAsync(TestTimeouts.Default));

        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task A_head_beyond_64_KiB_is_refused_before_more_is_buffered()
    {
        await using var server = new ScriptedUpgradeServer(async (_, stream, ct) =>
        {
            await stream.WriteAsync("HTTP/1.1 101 Switching Protocols\r\n"u8.ToArray(), ct);
            var pad = Encoding.ASCII.GetBytes("X-Pad: " + new string('a', 1000) + "\r\n");
            for (var i = 0; i < 100 && !ct.IsCancellationRequested; i++)
            {
                await stream.WriteAsync(pad, ct);
            }
        });

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(Options(server.Url)).WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.ProtocolError, ex.Error);
        Assert.Contains("65536", ex.Message);
    }

    [Fact]
    public async Task An_unreachable_port_is_unreachable()
    {
        int port;
        using (var probe = new TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(Options(new Uri($"http://127.0.0.1:{port}"))).WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.Unreachable, ex.Error);
    }

    private static EngineOptions Options(Uri url, TimeSpan? connectTimeout = null, System.Net.CookieContainer? cookies = null) => new()
    {
        Cookies = cookies,
        Url = url,
        WebSocketEngine = EngineWebSocketEngine.Managed,
        Transports = EngineTransports.WebSocket,
        Headers = [new("X-Api-Key", Secret)],
        Query = [new("token", Secret + "q")],
        ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(4),
    };

    /// <summary>An unmasked server text frame (RFC 6455 §5.2) of a short message.</summary>
    private static byte[] Frame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        return payload.Length < 126
            ? [0x81, (byte)payload.Length, .. payload]
            : [0x81, 126, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
    }
}
