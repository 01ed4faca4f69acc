using SailSocket.Engine;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests;

/// <summary>Servers that refuse, die or freeze: each test lifts its own server.</summary>
public sealed class ServerFailureTests
{
    [Fact]
    public async Task Handshake_refused_by_beforeConnect_reports_the_http_status()
    {
        await using var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["REJECT_CONNECT"] = "1" });
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(15)));
        Assert.Equal(400, error.HttpStatusCode);
        Assert.Equal(EngineConnectionError.HandshakeRefused, Assert.IsType<EngineConnectionException>(error.InnerException).Error);
        Assert.Equal("Rejected by beforeConnect (probe)", error.ServerMessage);
        Assert.Contains("Rejected by beforeConnect (probe)", error.Message);
    }

    [Fact]
    public async Task Handshake_refused_over_polling_reports_the_servers_answer()
    {
        await using var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["REJECT_CONNECT"] = "1" });
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, Transports = EngineTransports.Polling });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(15)));
        Assert.Equal(403, error.HttpStatusCode);
        Assert.Contains("Rejected by beforeConnect (probe)", error.ServerMessage);
    }

    [Fact]
    public async Task Only_allowed_origins_connect()
    {
        await using var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["ONLY_ORIGINS"] = "http://good.example" });
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(15)));
        Assert.Equal(400, error.HttpStatusCode);
        Assert.Equal("Bad request", error.ServerMessage);

        await using var good = await client.ConnectAsync(new SailsSocketOptions { InitialConnectionHeaders = [new("Origin", "http://good.example")] }, Bound.Seconds(15));
        Assert.Equal(200, (await good.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
    }

    [Fact]
    public async Task Server_killed_mid_request_fails_it_as_possibly_processed()
    {
        var server = await SailsServer.StartAsync();
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var disconnected = new TaskCompletionSource<SailsDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Disconnected += (_, e) => disconnected.TrySetResult(e);
        var pending = socket.GetAsync("/slow?ms=5000", Bound.Seconds(20)).AsTask();

        // Requests go out and are handled in order: once a later one is answered, the server is working on the slow one.
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
        await server.DisposeAsync();

        var error = await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => pending.Within(10));
        Assert.True(error.RequestMayHaveBeenProcessed);
        Assert.Equal(SailsDisconnectReason.TransportClose, (await disconnected.Task.Within(10)).Reason);
        Assert.False(socket.IsConnected);
    }

    [Fact]
    public async Task Heartbeats_keep_a_quiet_socket_alive_and_a_frozen_server_is_detected()
    {
        await using var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["PING_INTERVAL"] = "1000", ["PING_TIMEOUT"] = "1000" });
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var disconnected = new TaskCompletionSource<SailsDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Disconnected += (_, e) => disconnected.TrySetResult(e);

        // Several ping intervals with no traffic: the server would drop a client that did not answer its pings. The idle
        // time is the stimulus, not a wait for a state: the server's pings are not observable from here.
        await Task.Delay(3500);
        Assert.True(socket.IsConnected);
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);

        var pending = socket.GetAsync("/never", Bound.Seconds(20)).AsTask();
        server.Pause();
        try
        {
            // Detected by the heartbeat (the window, pingInterval + pingTimeout, is tested on a fake clock in
            // EngineConnectionTests.Heartbeat): a frozen server does not close the connection, only silence tells.
            var args = await disconnected.Task.Within(10);
            Assert.Equal(SailsDisconnectReason.PingTimeout, args.Reason);
            await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => pending.Within(10));
        }
        finally
        {
            server.Resume();
        }
    }
}
