using System;
using System.Threading.Tasks;
using SailSocket.Engine.Protocol;
using SailSocket.Testing;
using SailSocket.UnitTests.Infrastructure;
using SailSocket.UnitTests.Sails;
using Xunit;

namespace SailSocket.UnitTests.Testing;

/// <summary>Faults on command: drop, server disconnect, stall, refusal; and both protocol revisions.</summary>
public sealed class FakeSailsServerFaultTests
{
    private static SailsClientOptions WithReconnect(FakeSailsServer server, TimeSpan? requestTimeout = null)
    {
        var options = server.CreateClientOptions();
        return new SailsClientOptions
        {
            Url = options.Url,
            WebSocketFactory = options.WebSocketFactory,
            Revision = options.Revision,
            Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromMilliseconds(50), DelayMax = TimeSpan.FromMilliseconds(50), RandomizationFactor = 0 },
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30),
            TimerResolution = TimeSpan.FromMilliseconds(50),
        };
    }

    [Fact]
    public async Task Drop_IsATransportClose_AndTheClientReconnects()
    {
        await using var server = new FakeSailsServer();
        server.Get("/ping", _ => FakeResponse.Text("pong"));
        await using var client = new SailsClient(WithReconnect(server));
        await using var socket = await client.ConnectAsync();
        var events = new LifecycleRecorder(socket);
        var first = await server.WaitForSocketAsync(TestTimeouts.Default);

        await first.DropAsync().WaitAsync(TestTimeouts.Default);

        Assert.Equal(SailsDisconnectReason.TransportClose, (await LifecycleRecorder.NextAsync(events.Disconnected)).Reason);
        var second = await server.WaitForSocketAsync(TestTimeouts.Default);
        await LifecycleRecorder.NextAsync(events.Reconnected);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal("pong", (await socket.GetAsync("/ping").AsTask().WaitAsync(TestTimeouts.Default)).ReadBodyAsString());
        Assert.Equal(second.Id, Assert.Single(server.Sockets).Id);
    }

    [Fact]
    public async Task Disconnect_IsAServerDisconnect_AndTheClientStaysDown()
    {
        await using var server = new FakeSailsServer();
        await using var client = new SailsClient(WithReconnect(server));
        await using var socket = await client.ConnectAsync();
        var events = new LifecycleRecorder(socket);
        var fake = await server.WaitForSocketAsync(TestTimeouts.Default);

        await fake.DisconnectAsync().WaitAsync(TestTimeouts.Default);

        Assert.Equal(SailsDisconnectReason.ServerDisconnect, (await LifecycleRecorder.NextAsync(events.Disconnected)).Reason);
        await Task.Delay(TestTimeouts.Quiet);
        Assert.Equal(1, server.ConnectionAttempts);
        Assert.Empty(server.Sockets);
    }

    [Fact]
    public async Task Stall_LeavesRequestsUnanswered_AndTheHeartbeatEndsTheConnection()
    {
        await using var server = new FakeSailsServer(new FakeSailsServerOptions { PingInterval = TimeSpan.FromMilliseconds(100), PingTimeout = TimeSpan.FromMilliseconds(700) });
        server.Get("/ping", _ => FakeResponse.Text("pong"));
        var options = server.CreateClientOptions();
        await using var client = new SailsClient(new SailsClientOptions { Url = options.Url, WebSocketFactory = options.WebSocketFactory, TimerResolution = TimeSpan.FromMilliseconds(50) });
        await using var socket = await client.ConnectAsync();
        var events = new LifecycleRecorder(socket);
        var fake = await server.WaitForSocketAsync(TestTimeouts.Default);

        // Pings keep it alive well past pingInterval + pingTimeout while the server is healthy.
        await Task.Delay(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(SailsSocketState.Connected, socket.State);

        fake.Stall();
        Assert.True(fake.IsStalled);
        var pending = socket.GetAsync("/ping").AsTask();

        Assert.Equal(SailsDisconnectReason.PingTimeout, (await LifecycleRecorder.NextAsync(events.Disconnected)).Reason);
        await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => pending.WaitAsync(TestTimeouts.Default));
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task Refuse_FailsTheHandshakeWithTheStatusAndReason_UntilAccepted()
    {
        await using var server = new FakeSailsServer();
        server.RefuseConnections(403, "Rejected by beforeConnect");
        await using var client = new SailsClient(server.CreateClientOptions());

        var ex = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync().WaitAsync(TestTimeouts.Default));
        Assert.Equal(403, ex.HttpStatusCode);
        Assert.Contains("Rejected by beforeConnect", ex.ToString(), StringComparison.Ordinal);
        Assert.Empty(server.Sockets);

        server.AcceptConnections();
        await using var socket = await client.ConnectAsync().WaitAsync(TestTimeouts.Default);
        Assert.Equal(2, server.ConnectionAttempts);
    }

    [Fact]
    public async Task Revision3_SocketIdIsTheEngineSid_TheClientPings_AndRequestsWork()
    {
        // Real time: the client pings every 100 ms for 2.5 s. The 2 s pingTimeout leaves room for a fresh test process,
        // whose two thread-pool threads the test host holds at first (a 700 ms bound failed 7 runs in 10 run alone).
        await using var server = new FakeSailsServer(new FakeSailsServerOptions { Revision = EngineRevision.V3, PingInterval = TimeSpan.FromMilliseconds(100), PingTimeout = TimeSpan.FromSeconds(2) });
        server.Get("/v", req => FakeResponse.Json($$"""{"eio":"{{req.Socket.Query["EIO"]}}","sdk":"{{req.Socket.Query["__sails_io_sdk_version"]}}"}"""));
        var options = server.CreateClientOptions();
        Assert.Equal(SailSocket.Engine.EngineRevisionSelection.V3, options.Revision);
        await using var client = new SailsClient(new SailsClientOptions { Url = options.Url, WebSocketFactory = options.WebSocketFactory, Revision = options.Revision, TimerResolution = TimeSpan.FromMilliseconds(50) });
        await using var socket = await client.ConnectAsync();
        var fake = await server.WaitForSocketAsync(TestTimeouts.Default);
        SailsDisconnectedEventArgs? lost = null;
        socket.Disconnected += (_, e) => lost = e;

        Assert.Equal(fake.EngineSessionId, fake.Id);
        Assert.Equal(socket.Id, fake.Id);
        Assert.Equal(JsonValueKindUndefined, fake.Auth.ValueKind);
        await Task.Delay(TimeSpan.FromMilliseconds(2500));
        Assert.True(lost is null, lost?.Exception.ToString());
        Assert.Equal(SailsSocketState.Connected, socket.State);
        var body = (await socket.GetAsync("/v").AsTask().WaitAsync(TestTimeouts.Default)).Body.ToString();
        Assert.StartsWith("""{"eio":"3","sdk":""", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevisionMismatch_IsRefusedWith400_AsAServerWithoutAllowEio3()
    {
        await using var server = new FakeSailsServer(new FakeSailsServerOptions { Revision = EngineRevision.V3 });
        var options = server.CreateClientOptions();
        await using var client = new SailsClient(new SailsClientOptions { Url = options.Url, WebSocketFactory = options.WebSocketFactory, Revision = SailSocket.Engine.EngineRevisionSelection.V4 });

        var ex = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync().WaitAsync(TestTimeouts.Default));
        Assert.Equal(400, ex.HttpStatusCode);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindUndefined = System.Text.Json.JsonValueKind.Undefined;
}
