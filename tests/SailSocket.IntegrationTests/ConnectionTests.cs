using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using SailSocket.Engine;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests;

/// <summary>Connecting, disconnecting and every way a connection can fail, against real servers.</summary>
public sealed class ConnectionTests : SailsServerTestBase
{
    [Fact]
    public async Task Connect_gives_a_socket_with_the_server_side_id()
    {
        await using var socket = await ConnectAsync();
        Assert.True(socket.IsConnected);
        Assert.False(string.IsNullOrEmpty(socket.Id));
        Assert.Contains(socket, Client.Sockets);
        var echo = (await socket.GetAsync("/echo", Bound.Seconds(10))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal(socket.Id, echo.SocketId);
    }

    [Fact]
    public async Task Handshake_headers_and_query_reach_the_server()
    {
        await using var socket = await Client.ConnectAsync(
            new SailsSocketOptions
            {
                InitialConnectionHeaders = [new("Origin", "http://good.example"), new("Cookie", "probe=1")],
                Query = [new("custom", "1")],
            },
            Bound.Seconds(15));
        var echo = (await socket.GetAsync("/echo", Bound.Seconds(10))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal("http://good.example", echo.Headers.Origin);
        Assert.Contains("probe=1", echo.Headers.Cookie);
        Assert.Equal("1", echo.HandshakeQuery.GetProperty("custom").GetString());
        Assert.Equal("1.2.1", echo.HandshakeQuery.GetProperty("__sails_io_sdk_version").GetString());
        Assert.Equal("dotnet", echo.HandshakeQuery.GetProperty("__sails_io_sdk_platform").GetString());
    }

    [Fact]
    public async Task Disconnect_fails_nothing_silently_and_raises_Disconnected_once()
    {
        var socket = await ConnectAsync();
        var disconnected = new TaskCompletionSource<SailsDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        socket.Disconnected += (_, e) => { Interlocked.Increment(ref count); disconnected.TrySetResult(e); };
        var never = socket.GetAsync("/never", Bound.Seconds(20)).AsTask();
        await socket.DisconnectAsync(Bound.Seconds(10));
        Assert.False(socket.IsConnected);

        var error = await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => never.Within(10));
        Assert.True(error.RequestMayHaveBeenProcessed);
        Assert.Equal(SailsDisconnectReason.ClientDisconnect, (await disconnected.Task.Within(10)).Reason);

        var after = await Assert.ThrowsAsync<SailsConnectionException>(() => socket.GetAsync("/echo", Bound.Seconds(5)).AsTask());
        Assert.False(after.RequestMayHaveBeenProcessed);
        await socket.DisconnectAsync();
        await socket.DisposeAsync();
        await socket.DisposeAsync();
        Assert.Equal(1, Volatile.Read(ref count));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => socket.GetAsync("/echo").AsTask());
        Assert.DoesNotContain(socket, Client.Sockets);
    }

    [Fact]
    public async Task Server_side_disconnect_is_reported_as_such()
    {
        await using var socket = await ConnectAsync();
        var disconnected = new TaskCompletionSource<SailsDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Disconnected += (_, e) => disconnected.TrySetResult(e);
        var never = socket.GetAsync("/never", Bound.Seconds(20)).AsTask();
        Assert.Equal(200, (await socket.GetAsync("/disconnect-me", Bound.Seconds(10))).StatusCode);
        Assert.Equal(SailsDisconnectReason.ServerDisconnect, (await disconnected.Task.Within(10)).Reason);
        var error = await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => never.Within(10));
        Assert.True(error.RequestMayHaveBeenProcessed);
        Assert.False(socket.IsConnected);
    }

    [Fact]
    public async Task Request_timeout_comes_from_the_shared_timer_and_leaves_the_socket_usable()
    {
        await using var client = new SailsClient(new SailsClientOptions { Url = Server.Url, RequestTimeout = TimeSpan.FromMilliseconds(500), ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));

        // The client's timeout ends it, not the token (10 s). When it falls (at the deadline, never before) is tested on
        // a fake clock in the unit tests (SailsRequestTimeoutTests); here, the outcome against a server that never answers.
        var timeout = await Assert.ThrowsAsync<SailsTimeoutException>(() => socket.GetAsync("/never", Bound.Seconds(10)).AsTask());
        Assert.Contains("GET /never", timeout.Message, StringComparison.Ordinal);
        Assert.Contains(" 500 ms", timeout.Message, StringComparison.Ordinal);
        Assert.True(socket.IsConnected);
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);

        var request = new SailsRequest("get", "/slow?ms=1000") { Timeout = TimeSpan.FromSeconds(5) };
        Assert.Equal(200, (await socket.RequestAsync(request, Bound.Seconds(10))).StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_request_throws_OperationCanceled_with_the_token_and_keeps_the_socket()
    {
        await using var socket = await ConnectAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => socket.GetAsync("/never", cts.Token).AsTask());
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.True(socket.IsConnected);
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
    }

    [Fact]
    public async Task Bad_arguments_are_refused_before_anything_is_sent()
    {
        await using var socket = await ConnectAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => socket.GetAsync("echo").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => socket.GetAsync("http://elsewhere/echo").AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => socket.GetAsync(null!).AsTask());
        Assert.Throws<ArgumentException>(() => new SailsRequest("FETCH", "/echo"));
        var badHeader = new SailsRequest("get", "/echo");
        badHeader.Headers["x-evil"] = "a\r\nInjected: 1";
        await Assert.ThrowsAsync<ArgumentException>(() => socket.RequestAsync(badHeader).AsTask());
        var badJson = new SailsRequest("post", "/echo") { Data = "{not json"u8.ToArray() };
        await Assert.ThrowsAsync<ArgumentException>(() => socket.RequestAsync(badJson).AsTask());
        Assert.True(socket.IsConnected);
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
    }

    [Fact]
    public async Task A_relative_or_non_http_url_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client.ConnectAsync(new Uri("/relative", UriKind.Relative)));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.ConnectAsync(new Uri("ftp://127.0.0.1/")));
        Assert.Throws<ArgumentException>(() => new SailsClient(new SailsClientOptions { Url = new Uri("file:///tmp") }));
        await using var noUrl = new SailsClient();
        await Assert.ThrowsAsync<ArgumentException>(() => noUrl.ConnectAsync());
    }

    [Fact]
    public async Task Unreachable_server_fails_fast_with_a_connection_exception()
    {
        var port = FreePort();
        await using var client = new SailsClient(new SailsClientOptions { Url = new Uri($"http://127.0.0.1:{port}") });
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(15)));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Equal(EngineConnectionError.Unreachable, Assert.IsType<EngineConnectionException>(error.InnerException).Error);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_within_the_connect_timeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var client = new SailsClient(new SailsClientOptions { Url = new Uri($"http://127.0.0.1:{port}"), ConnectTimeout = TimeSpan.FromSeconds(1) });
        var started = DateTime.UtcNow;
        await Assert.ThrowsAsync<SailsTimeoutException>(() => client.ConnectAsync(Bound.Seconds(15)));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task An_http_server_that_is_not_socket_io_is_reported_with_its_status()
    {
        var (listener, serve, url) = ServeOnce(context =>
        {
            context.Response.StatusCode = 404;
            context.Response.Close();
            return Task.CompletedTask;
        });
        using var stop = listener;
        await using var client = new SailsClient(new SailsClientOptions { Url = url });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(15)));
        Assert.Equal(404, error.HttpStatusCode);
        Assert.Equal(EngineConnectionError.HandshakeRefused, Assert.IsType<EngineConnectionException>(error.InnerException).Error);
        await serve.Within(5);
    }

    [Fact]
    public async Task A_sails_server_on_the_wrong_path_is_a_connection_error()
    {
        await using var client = new SailsClient(new SailsClientOptions { Url = Server.Url, Path = "/not-socket-io/" });
        await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(15)));
    }

    [Fact]
    public async Task A_websocket_server_that_does_not_speak_engine_io_is_reported()
    {
        var (listener, _, url) = ServeOnce(async context =>
        {
            var ws = await context.AcceptWebSocketAsync(null);
            await ws.WebSocket.SendAsync("hello, I am not Engine.IO"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);

            // Keep the connection open until the client gives up on it: what it reports comes from the message alone.
            var buffer = new byte[256];
            try
            {
                while ((await ws.WebSocket.ReceiveAsync(buffer, Bound.Seconds(15))).MessageType != WebSocketMessageType.Close)
                {
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpListenerException)
            {
            }
        });
        using var stop = listener;
        await using var client = new SailsClient(new SailsClientOptions { Url = url });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(15)));
        Assert.Equal(EngineConnectionError.NotEngineIo, Assert.IsType<EngineConnectionException>(error.InnerException).Error);
    }

    [Fact]
    public async Task Disposed_client_refuses_new_sockets_and_disposes_its_sockets()
    {
        var client = new SailsClient(new SailsClientOptions { Url = Server.Url });
        var socket = await client.ConnectAsync(Bound.Seconds(15));
        await client.DisposeAsync();
        Assert.False(socket.IsConnected);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => socket.GetAsync("/echo").AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ConnectAsync());
    }

    /// <summary>An HTTP server on 127.0.0.1 that answers one request with <paramref name="respond"/>.</summary>
    private static (HttpListener Listener, Task Serving, Uri Url) ServeOnce(Func<HttpListenerContext, Task> respond)
    {
        var port = FreePort();
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serving = Task.Run(async () => await respond(await listener.GetContextAsync()));
        return (listener, serving, new Uri($"http://127.0.0.1:{port}"));
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
