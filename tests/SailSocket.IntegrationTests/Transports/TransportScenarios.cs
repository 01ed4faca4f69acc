using System.Text.Json;
using System.Threading.Channels;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.SocketIo;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>
/// One scenario set, written once against <see cref="SocketIoClient"/> and run for every transport × Engine.IO revision
/// (the sealed subclasses in TransportScenarios.Variants.cs) against the real Sails app with polling enabled.
/// Every network wait is bounded.
/// </summary>
public abstract class TransportScenarios : IAsyncLifetime
{
    private readonly Channel<(string Name, string Arguments)> _events = Channel.CreateUnbounded<(string, string)>();
    private readonly TaskCompletionSource<SocketIoDisconnectedException> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<SocketIoClient> _clients = [];
    private Uri _url = null!;

    protected abstract EngineTransports Transports { get; }

    protected abstract EngineRevisionSelection Revision { get; }

    /// <summary>What carries the WebSocket: <see cref="EngineWebSocketEngine.ClientWebSocket"/> unless a variant says otherwise.</summary>
    protected virtual EngineWebSocketEngine WebSocketEngine => EngineWebSocketEngine.ClientWebSocket;

    /// <summary>Whether the managed WebSocket reads on a thread of its own (<see cref="EngineOptions.ReceiveThread"/>).</summary>
    protected virtual bool ReceiveThread => false;

    private EngineRevision ExpectedRevision => Revision == EngineRevisionSelection.V3 ? EngineRevision.V3 : EngineRevision.V4;

    public async Task InitializeAsync() => _url = (await TransportSailsServer.GetAsync().Within(150)).Url;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync().AsTask().Within(10);
        }
    }

    [Fact]
    public async Task Connects_with_the_configured_transport_and_revision()
    {
        var client = await ConnectAsync();

        Assert.True(client.IsConnected);
        Assert.Equal(ExpectedRevision, client.Engine.Revision);
        Assert.Equal(ExpectedRevision == EngineRevision.V3 ? 4 : 5, client.ProtocolRevision);
        Assert.Equal(Transports == EngineTransports.Polling ? "polling" : "websocket", client.Engine.Transport);
        Assert.Null(client.Engine.UpgradeError);
        Assert.Equal(WebSocketEngine == EngineWebSocketEngine.Managed && Transports != EngineTransports.Polling, client.Engine.UsesManagedWebSocket);
        if (ExpectedRevision == EngineRevision.V3)
        {
            // Protocol 4: the socket id is the Engine.IO sid (protocol.md §3.3).
            Assert.Equal(client.EngineHandshake.SessionId, client.Id);
        }
        else
        {
            Assert.NotEqual(client.EngineHandshake.SessionId, client.Id);
        }
    }

    [Fact]
    public async Task A_request_is_answered_and_the_server_sees_this_socket()
    {
        var client = await ConnectAsync();

        var reply = await RequestAsync(client, "get", "/echo?probe=1", "{}");

        Assert.Equal(200, reply.GetProperty("statusCode").GetInt32());
        var body = reply.GetProperty("body");
        Assert.Equal(client.Id, body.GetProperty("socketId").GetString());
        Assert.Equal("1", body.GetProperty("query").GetProperty("probe").GetString());
        Assert.True(body.GetProperty("isSocket").GetBoolean());
    }

    [Fact]
    public async Task Text_outside_the_basic_plane_round_trips()
    {
        var client = await ConnectAsync();

        var reply = await RequestAsync(client, "post", "/unicode", """{"text":"é😀"}""");

        var body = reply.GetProperty("body");
        Assert.Equal("é😀", body.GetProperty("received").GetString());
        Assert.Equal("héllo wörld ✓ 😀", body.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Concurrent_requests_are_all_answered()
    {
        var client = await ConnectAsync();

        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => RequestAsync(client, "get", $"/echo?i={i}", "{}")));

        for (var i = 0; i < replies.Length; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), replies[i].GetProperty("body").GetProperty("query").GetProperty("i").GetString());
        }
    }

    [Fact]
    public async Task Binary_attachments_arrive_in_a_reply()
    {
        var client = await ConnectAsync();

        var ack = await EmitAsync(client, "get", "/binary-nested", "{}");

        Assert.Equal(2, ack.Attachments.Count);
        Assert.Equal("hi"u8.ToArray(), ack.Attachments[0].ToArray());
        Assert.Equal(new byte[] { 0xFF }, ack.Attachments[1].ToArray());

        ack = await EmitAsync(client, "get", "/binary", "{}");
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, Assert.Single(ack.Attachments).ToArray());
    }

    [Fact]
    public async Task Binary_attachments_sent_by_the_client_arrive()
    {
        var client = await ConnectAsync();
        var envelope = """{"method":"post","headers":{},"data":{"file":{"_placeholder":true,"num":0},"name":"x.bin"},"url":"/echo"}""";

        var ack = await client.EmitWithAckAsync("post", envelope, static (w, json) => w.WriteRawValue(json), [new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }], TimeSpan.FromSeconds(10), Bound.Seconds(15));

        using var document = JsonDocument.Parse(ack.Arguments);
        var file = document.RootElement[0].GetProperty("body").GetProperty("body").GetProperty("file");
        Assert.Equal([222, 173, 190, 239], file.EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    [Fact]
    public async Task Server_events_arrive()
    {
        var client = await ConnectAsync();

        var reply = await RequestAsync(client, "get", "/push-to-me", "{}");

        Assert.Equal(200, reply.GetProperty("statusCode").GetInt32());
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var pushed = await _events.Reader.ReadAsync(bound.Token);
        Assert.Equal("direct", pushed.Name);
        Assert.Contains("\"hello\":\"you\"", pushed.Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Heartbeats_keep_the_connection_alive()
    {
        var client = await ConnectAsync();

        // Longer than pingInterval + pingTimeout (3 s): on EIO3 this client must ping, on EIO4 it must answer the server's pings.
        // The idle time is the stimulus, not a wait for a state: a load only makes it longer.
        await Task.Delay(4 * TransportSailsServer.PingInterval);

        Assert.True(client.IsConnected);
        Assert.Equal(200, (await RequestAsync(client, "get", "/echo", "{}")).GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task Server_disconnect_is_reported()
    {
        var client = await ConnectAsync();

        await RequestAsync(client, "get", "/disconnect-me", "{}");

        var reason = await _disconnected.Task.Within(10);
        Assert.Equal(SocketIoDisconnectReason.ServerDisconnect, reason.Reason);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Client_disconnect_ends_the_connection()
    {
        var client = await ConnectAsync();
        var never = EmitAsync(client, "get", "/never", "{}");

        await client.DisconnectAsync(Bound.Seconds(10)).Within(10);

        Assert.False(client.IsConnected);
        Assert.False(client.Engine.IsOpen);
        await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => never.Within(10));
        Assert.Equal(SocketIoDisconnectReason.ClientDisconnect, (await _disconnected.Task.Within(10)).Reason);
    }

    private async Task<SocketIoClient> ConnectAsync()
    {
        var options = new SocketIoOptions
        {
            Engine = new EngineOptions
            {
                Url = _url,
                Query = SailsSdkQuery.Pairs,
                Transports = Transports,
                Revision = Revision,
                WebSocketEngine = WebSocketEngine,
                ReceiveThread = ReceiveThread,
                TimerResolution = TimeSpan.FromMilliseconds(50),
                ConnectTimeout = TimeSpan.FromSeconds(10),
                UpgradeTimeout = TimeSpan.FromSeconds(5),
            },
            ConnectTimeout = TimeSpan.FromSeconds(10),
            OnEvent = (in SocketIoEvent e) => _events.Writer.TryWrite((e.Name, System.Text.Encoding.UTF8.GetString(e.Arguments.Span))),
            OnDisconnected = e => _disconnected.TrySetResult(e),
        };
        var client = await SocketIoClient.ConnectAsync(options, Bound.Seconds(15));
        _clients.Add(client);
        if (Transports == EngineTransports.PollingThenUpgrade)
        {
            await client.Engine.UpgradeTask.Within(10);
        }

        return client;
    }

    private static Task<SocketIoAck> EmitAsync(SocketIoClient client, string method, string url, string data)
    {
        var envelope = $$"""{"method":"{{method}}","headers":{},"data":{{data}},"url":"{{url}}"}""";
        return client.EmitWithAckAsync(method, envelope, static (w, json) => w.WriteRawValue(json), null, TimeSpan.FromSeconds(10), Bound.Seconds(15)).AsTask();
    }

    /// <summary>Sends the Sails envelope <c>["get",{"method":"get","headers":{},"data":{},"url":"/echo"}]</c> and returns the JWR.</summary>
    private static async Task<JsonElement> RequestAsync(SocketIoClient client, string method, string url, string data)
    {
        var ack = await EmitAsync(client, method, url, data);
        using var document = JsonDocument.Parse(ack.Arguments);
        return document.RootElement[0].Clone();
    }
}
