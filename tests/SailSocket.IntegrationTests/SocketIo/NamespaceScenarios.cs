using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.SocketIo.Protocol;

namespace SailSocket.IntegrationTests.SocketIo;

/// <summary>
/// Namespaces over one connection, auth, CONNECT_ERROR, binary attachments both ways and per-namespace disconnects,
/// written once against the plain socket.io 4.x fixture and run for every transport × Engine.IO revision (the sealed
/// subclasses in NamespaceScenarios.Variants.cs). Every network wait is bounded.
/// </summary>
public abstract class NamespaceScenarios : IAsyncLifetime
{
    private static readonly byte[] s_goodAuth = """{"token":"let-me-in"}"""u8.ToArray();
    private static readonly byte[] s_badAuth = """{"token":"guess"}"""u8.ToArray();

    private readonly List<IAsyncDisposable> _owned = [];
    private Uri _url = null!;

    protected abstract EngineTransports Transports { get; }

    protected abstract EngineRevisionSelection Revision { get; }

    private bool Protocol4 => Revision == EngineRevisionSelection.V3;

    public async Task InitializeAsync() => _url = (await SocketIoFixtureServer.GetAsync().Within(150)).Url;

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().AsTask().Within(10);
        }
    }

    [Fact]
    public async Task Namespaces_share_one_engine_connection()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");
        var chat = await JoinAsync(connection, "/chat");

        var mainInfo = await WhoAmIAsync(main);
        var chatInfo = await WhoAmIAsync(chat);

        var engineId = connection.Engine.Handshake.SessionId;
        Assert.Equal(engineId, mainInfo.GetProperty("engineId").GetString());
        Assert.Equal(engineId, chatInfo.GetProperty("engineId").GetString());
        Assert.Equal("/", mainInfo.GetProperty("nsp").GetString());
        Assert.Equal("/chat", chatInfo.GetProperty("nsp").GetString());
        Assert.Equal(main.Id, mainInfo.GetProperty("id").GetString());
        Assert.Equal(chat.Id, chatInfo.GetProperty("id").GetString());
        Assert.NotEqual(main.Id, chat.Id);
        Assert.Equal(Protocol4 ? 3 : 4, mainInfo.GetProperty("protocol").GetInt32());
        Assert.Equal(Protocol4 ? 4 : 5, connection.ProtocolRevision);
        if (Protocol4)
        {
            // Protocol 4 ids: the Engine.IO sid, prefixed by a non-main namespace (protocol.md §3.3).
            Assert.Equal(engineId, main.Id);
            Assert.Equal("/chat#" + engineId, chat.Id);
        }
    }

    [Fact]
    public async Task A_namespace_can_be_joined_without_the_main_one()
    {
        var connection = await OpenAsync();
        var chat = await JoinAsync(connection, "/chat");

        Assert.Equal("/chat", (await WhoAmIAsync(chat)).GetProperty("nsp").GetString());

        // On protocol 4 the server connected "/" by itself meanwhile; a client for it is connected at once, without a CONNECT.
        var main = await JoinAsync(connection, "/");
        Assert.Equal("/", (await WhoAmIAsync(main)).GetProperty("nsp").GetString());
    }

    [Fact]
    public async Task Auth_payload_reaches_the_server_or_refusal_carries_its_data()
    {
        var connection = await OpenAsync();
        if (!Protocol4)
        {
            var admin = await JoinAsync(connection, "/admin", s_goodAuth);
            var info = await WhoAmIAsync(admin);
            Assert.Equal("let-me-in", info.GetProperty("auth").GetProperty("token").GetString());
            return;
        }

        // Protocol 4 has no CONNECT payload: the server sees no token, and socket.io 4 sends err.data itself as the refusal.
        var ex = await Assert.ThrowsAsync<SocketIoConnectException>(() => connection.ConnectNamespaceAsync("/admin", s_goodAuth, Bound.Seconds(15)));
        using var data = JsonDocument.Parse(ex.ServerData);
        Assert.Equal("NO_TOKEN", data.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Connect_error_is_typed_and_leaves_the_connection_and_other_namespaces_usable()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");

        var ex = await Assert.ThrowsAsync<SocketIoConnectException>(() => connection.ConnectNamespaceAsync("/admin", s_badAuth, Bound.Seconds(15)));

        Assert.Equal("/admin", ex.Namespace);
        using (var data = JsonDocument.Parse(ex.ServerData))
        {
            // Protocol 4 carries no auth, so the server saw no token at all.
            Assert.Equal(Protocol4 ? "NO_TOKEN" : "BAD_TOKEN", data.RootElement.GetProperty("code").GetString());
        }

        if (!Protocol4)
        {
            Assert.Equal("bad token", ex.ServerMessage);
        }

        Assert.True(connection.IsOpen);
        Assert.True(main.IsConnected);
        Assert.Equal("""["still","here"]""", await EchoJsonAsync(main, "still", "here"));

        // The refused namespace can be tried again on the same connection.
        if (!Protocol4)
        {
            var admin = await JoinAsync(connection, "/admin", s_goodAuth);
            Assert.Equal("/admin", (await WhoAmIAsync(admin)).GetProperty("nsp").GetString());
        }
    }

    [Fact]
    public async Task Unknown_namespace_is_refused_with_the_server_message()
    {
        var connection = await OpenAsync();

        var ex = await Assert.ThrowsAsync<SocketIoConnectException>(() => connection.ConnectNamespaceAsync("/nope", default, Bound.Seconds(15)));

        Assert.Equal("Invalid namespace", ex.ServerMessage);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Binary_attachments_round_trip_byte_exact_nested_and_several()
    {
        var connection = await OpenAsync();
        var chat = await JoinAsync(connection, "/chat");
        byte[][] blobs = [Pattern(1, 7), Pattern(1000, 1), [], Pattern(70_000, 3)];

        // ["echo", {"a": <0>, "list": [<1>, {"deep": <2>}], "n": 5}, <3>]
        var ack = await chat.EmitWithAckAsync("echo", blobs, static (writer, _) =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("a");
            SocketIoPacketWriter.WritePlaceholder(writer, 0);
            writer.WriteStartArray("list");
            SocketIoPacketWriter.WritePlaceholder(writer, 1);
            writer.WriteStartObject();
            writer.WritePropertyName("deep");
            SocketIoPacketWriter.WritePlaceholder(writer, 2);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteNumber("n", 5);
            writer.WriteEndObject();
            SocketIoPacketWriter.WritePlaceholder(writer, 3);
        }, [.. blobs.Select(b => (ReadOnlyMemory<byte>)b)], TimeSpan.FromSeconds(15), Bound.Seconds(20));

        Assert.Equal(blobs.Length, ack.Attachments.Count);
        using var json = JsonDocument.Parse(ack.Arguments);
        var args = json.RootElement;
        Assert.Equal(5, args[0].GetProperty("n").GetInt32());
        Assert.Equal(blobs[0], Attachment(ack, args[0].GetProperty("a")));
        Assert.Equal(blobs[1], Attachment(ack, args[0].GetProperty("list")[0]));
        Assert.Equal(blobs[2], Attachment(ack, args[0].GetProperty("list")[1].GetProperty("deep")));
        Assert.Equal(blobs[3], Attachment(ack, args[1]));
    }

    [Fact]
    public async Task Binary_sent_is_what_the_server_received()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");
        byte[][] blobs = [Pattern(3, 9), Pattern(4096, 2)];

        var ack = await main.EmitWithAckAsync("digest", blobs, static (writer, _) =>
        {
            writer.WriteStartArray();
            SocketIoPacketWriter.WritePlaceholder(writer, 0);
            SocketIoPacketWriter.WritePlaceholder(writer, 1);
            writer.WriteEndArray();
        }, [.. blobs.Select(b => (ReadOnlyMemory<byte>)b)], TimeSpan.FromSeconds(15), Bound.Seconds(20));

        using var json = JsonDocument.Parse(ack.Arguments);
        var digests = json.RootElement[0];
        Assert.Equal(2, digests.GetArrayLength());
        for (var i = 0; i < blobs.Length; i++)
        {
            Assert.Equal(blobs[i].Length, digests[i].GetProperty("length").GetInt32());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(blobs[i])), digests[i].GetProperty("sha256").GetString());
        }
    }

    [Fact]
    public async Task Concurrent_binary_emits_keep_each_packet_with_its_own_attachments()
    {
        // Many senders at once on one connection: over a WebSocket they meet in the send queue, and a packet's
        // attachments must follow it before any other sender's packet (the server would otherwise pair them wrongly).
        const int Senders = 16;
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");

        var emits = Enumerable.Range(0, Senders).Select(n => Task.Run(async () =>
        {
            byte[][] blobs = [Pattern(100 + n, n), Pattern(3000 + (n * 7), 255 - n)];
            var ack = await main.EmitWithAckAsync("digest", blobs, static (writer, _) =>
            {
                writer.WriteStartArray();
                SocketIoPacketWriter.WritePlaceholder(writer, 0);
                SocketIoPacketWriter.WritePlaceholder(writer, 1);
                writer.WriteEndArray();
            }, [.. blobs.Select(b => (ReadOnlyMemory<byte>)b)], TimeSpan.FromSeconds(20), Bound.Seconds(25));
            return (blobs, ack);
        })).ToArray();

        foreach (var (blobs, ack) in await Task.WhenAll(emits).Within(30))
        {
            using var json = JsonDocument.Parse(ack.Arguments);
            var digests = json.RootElement[0];
            Assert.Equal(blobs.Length, digests.GetArrayLength());
            for (var i = 0; i < blobs.Length; i++)
            {
                Assert.Equal(blobs[i].Length, digests[i].GetProperty("length").GetInt32());
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(blobs[i])), digests[i].GetProperty("sha256").GetString());
            }
        }
    }

    [Fact]
    public async Task Large_attachment_near_the_server_limit_round_trips_and_a_larger_one_is_refused_before_sending()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");

        // Polling carries binary as base64 (4/3 larger) in one POST bounded by maxHttpBufferSize: stay under it there too.
        var near = Pattern((SocketIoFixtureServer.MaxHttpBufferSize * 3 / 4) - 1024, 5);
        var ack = await main.EmitWithAckAsync("echo", 0, static (writer, _) => SocketIoPacketWriter.WritePlaceholder(writer, 0), [near], TimeSpan.FromSeconds(20), Bound.Seconds(25));
        Assert.Equal(near, ack.Attachments[0].ToArray());

        var tooLarge = new byte[SocketIoFixtureServer.MaxHttpBufferSize + 1];
        await Assert.ThrowsAsync<SocketIoMessageTooLargeException>(
            () => main.EmitWithAckAsync("echo", 0, static (writer, _) => SocketIoPacketWriter.WritePlaceholder(writer, 0), [tooLarge], TimeSpan.FromSeconds(20), Bound.Seconds(25)).AsTask());

        Assert.Equal(0, main.PendingAckCount);
        Assert.Equal("""["after"]""", await EchoJsonAsync(main, "after"));
    }

    [Fact]
    public async Task Server_emitted_binary_arrives_on_its_namespace_only()
    {
        var connection = await OpenAsync();
        var mainEvents = Channel.CreateUnbounded<(string Name, string Json, byte[][] Attachments)>();
        var chatEvents = Channel.CreateUnbounded<(string Name, string Json, byte[][] Attachments)>();
        var main = await JoinAsync(connection, new SocketIoNamespaceOptions { Namespace = "/", OnEvent = Capture(mainEvents) });
        var chat = await JoinAsync(connection, new SocketIoNamespaceOptions { Namespace = "/chat", OnEvent = Capture(chatEvents) });

        var count = await chat.EmitWithAckAsync("emit-binary", 0, static (writer, _) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("count", 3);
            writer.WriteNumber("size", 1500);
            writer.WriteEndObject();
        }, null, TimeSpan.FromSeconds(15), Bound.Seconds(20));
        Assert.Equal("[3]", Encoding.UTF8.GetString(count.Arguments.Span));

        var (name, json, attachments) = await chatEvents.Reader.ReadAsync(Bound.Seconds(15));
        Assert.Equal("binary", name);
        Assert.Equal(3, attachments.Length);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("tail", doc.RootElement[2].GetString());
        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(Pattern(1500, k), attachments[k]);
        }

        Assert.Equal(0, doc.RootElement[1].GetProperty("first").GetProperty("num").GetInt32());
        Assert.Equal("""["ok"]""", await EchoJsonAsync(main, "ok"));
        Assert.False(mainEvents.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Server_disconnect_of_one_namespace_ends_only_that_client()
    {
        var connection = await OpenAsync();
        var left = new TaskCompletionSource<SocketIoDisconnectedException>(TaskCreationOptions.RunContinuationsAsynchronously);
        var main = await JoinAsync(connection, "/");
        var chat = await JoinAsync(connection, new SocketIoNamespaceOptions { Namespace = "/chat", OnDisconnected = ex => left.TrySetResult(ex) });

        await chat.EmitAsync("disconnect-me", 0, static (_, _) => { }, null, Bound.Seconds(10));

        var reason = await left.Task.Within(15);
        Assert.Equal(SocketIoDisconnectReason.ServerDisconnect, reason.Reason);
        Assert.False(chat.IsConnected);
        await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => EchoJsonAsync(chat, "gone"));
        Assert.True(connection.IsOpen);
        Assert.True(main.IsConnected);
        Assert.Equal("""["main","alive"]""", await EchoJsonAsync(main, "main", "alive"));

        // The namespace can be joined again on the same connection.
        var again = await JoinAsync(connection, "/chat");
        Assert.Equal(connection.Engine.Handshake.SessionId, (await WhoAmIAsync(again)).GetProperty("engineId").GetString());
    }

    [Fact]
    public async Task Leaving_one_namespace_leaves_the_others_connected()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");
        var chat = await JoinAsync(connection, "/chat");

        await chat.DisconnectAsync(Bound.Seconds(10));

        Assert.False(chat.IsConnected);
        Assert.True(main.IsConnected);
        Assert.Equal("""["x"]""", await EchoJsonAsync(main, "x"));
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Disposing_the_connection_disconnects_every_namespace()
    {
        var connection = await OpenAsync();
        var reasons = Channel.CreateUnbounded<SocketIoDisconnectReason>();
        await JoinAsync(connection, new SocketIoNamespaceOptions { Namespace = "/", OnDisconnected = ex => reasons.Writer.TryWrite(ex.Reason) });
        var chat = await JoinAsync(connection, new SocketIoNamespaceOptions { Namespace = "/chat", OnDisconnected = ex => reasons.Writer.TryWrite(ex.Reason) });
        var pending = chat.EmitWithAckAsync("never-answered", 0, static (_, _) => { }, null, TimeSpan.FromSeconds(30), Bound.Seconds(30)).AsTask();

        await connection.DisposeAsync().AsTask().Within(10);

        Assert.Equal(SocketIoDisconnectReason.ClientDisconnect, await reasons.Reader.ReadAsync(Bound.Seconds(5)));
        Assert.Equal(SocketIoDisconnectReason.ClientDisconnect, await reasons.Reader.ReadAsync(Bound.Seconds(5)));
        var ex = await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => pending.Within(5));
        Assert.True(ex.AfterSend);
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task Single_namespace_client_over_this_transport_gets_its_connect_error()
    {
        var options = new SocketIoOptions { Engine = EngineOptions(), Namespace = "/admin", Auth = s_badAuth, ConnectTimeout = TimeSpan.FromSeconds(15) };

        var ex = await Assert.ThrowsAsync<SocketIoConnectException>(() => SocketIoClient.ConnectAsync(options, Bound.Seconds(20)));

        Assert.Equal("/admin", ex.Namespace);
        Assert.False(ex.ServerData.IsEmpty);
    }

    private EngineOptions EngineOptions() => new()
    {
        Url = _url,
        Transports = Transports,
        Revision = Revision,
        TimerResolution = TimeSpan.FromMilliseconds(50),
        ConnectTimeout = TimeSpan.FromSeconds(15),
        UpgradeTimeout = TimeSpan.FromSeconds(5),
        MaxMessageSize = 4 * SocketIoFixtureServer.MaxHttpBufferSize,
    };

    private async Task<SocketIoConnection> OpenAsync()
    {
        var connection = await SocketIoConnection.ConnectAsync(new SocketIoConnectionOptions { Engine = EngineOptions(), ConnectTimeout = TimeSpan.FromSeconds(15) }, Bound.Seconds(20));
        _owned.Add(connection);
        if (Transports == EngineTransports.PollingThenUpgrade)
        {
            await connection.Engine.UpgradeTask.Within(10);
            Assert.Equal("websocket", connection.Engine.Transport);
        }
        else
        {
            Assert.Equal(Transports == EngineTransports.Polling ? "polling" : "websocket", connection.Engine.Transport);
        }

        return connection;
    }

    private Task<SocketIoClient> JoinAsync(SocketIoConnection connection, string ns, ReadOnlyMemory<byte> auth = default) =>
        JoinAsync(connection, new SocketIoNamespaceOptions { Namespace = ns, Auth = auth });

    private async Task<SocketIoClient> JoinAsync(SocketIoConnection connection, SocketIoNamespaceOptions options)
    {
        var client = await connection.ConnectNamespaceAsync(options, Bound.Seconds(15));
        _owned.Add(client);
        Assert.True(client.IsConnected);
        Assert.Same(connection, client.Connection);
        return client;
    }

    private static SocketIoEventCallback Capture(Channel<(string Name, string Json, byte[][] Attachments)> channel) =>
        (in SocketIoEvent e) => channel.Writer.TryWrite((e.Name, Encoding.UTF8.GetString(e.Arguments.Span), [.. e.Attachments.Select(a => a.ToArray())]));

    private static async Task<JsonElement> WhoAmIAsync(SocketIoClient client)
    {
        var ack = await client.EmitWithAckAsync("whoami", 0, static (_, _) => { }, null, TimeSpan.FromSeconds(15), Bound.Seconds(20));
        using var json = JsonDocument.Parse(ack.Arguments);
        return json.RootElement[0].Clone();
    }

    private static async Task<string> EchoJsonAsync(SocketIoClient client, params string[] values)
    {
        var ack = await client.EmitWithAckAsync("echo", values, static (writer, v) =>
        {
            foreach (var value in v)
            {
                writer.WriteStringValue(value);
            }
        }, null, TimeSpan.FromSeconds(15), Bound.Seconds(20));
        return Encoding.UTF8.GetString(ack.Arguments.Span);
    }

    /// <summary>The attachment a placeholder <c>{"_placeholder":true,"num":k}</c> stands for.</summary>
    private static byte[] Attachment(SocketIoAck ack, JsonElement placeholder)
    {
        Assert.True(placeholder.GetProperty("_placeholder").GetBoolean());
        return ack.Attachments[placeholder.GetProperty("num").GetInt32()].ToArray();
    }

    /// <summary>The fixture's pattern: byte i of buffer k is (i * 31 + k) &amp; 0xff.</summary>
    private static byte[] Pattern(int size, int k)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)((i * 31) + k);
        }

        return bytes;
    }
}
