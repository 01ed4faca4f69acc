using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.SocketIo.Protocol;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <summary>
/// <see cref="SocketIoConnection"/>: several namespaces over one scripted Engine.IO connection (in-memory WebSocket).
/// Routing of connects, events, acks and binary attachments by namespace, and every way one namespace can fail or end
/// without touching the others. Every await is bounded by <see cref="TestTimeouts.Default"/>.
/// </summary>
[Collection(RealTimeGroup.Name)]
public sealed partial class SocketIoConnectionTests : IAsyncLifetime
{
    private readonly WebSocketPeer _peer = new();
    private readonly Channel<(string Namespace, string Name, string Arguments, byte[][] Attachments)> _events =
        Channel.CreateUnbounded<(string, string, string, byte[][])>();

    private readonly Channel<(string Namespace, SocketIoDisconnectReason Reason)> _disconnects =
        Channel.CreateUnbounded<(string, SocketIoDisconnectReason)>();

    private readonly List<IAsyncDisposable> _owned = [];
    private int _closedCalls;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }

        await _peer.DisposeAsync();
    }

    [Fact]
    public async Task TwoNamespaces_EachGetsItsOwnConnectReply_OverOneEngineConnection()
    {
        var connection = await OpenAsync();

        var chatConnecting = connection.ConnectNamespaceAsync(Options("/chat"));
        Assert.Equal("40/chat,", await _peer.ReceiveTextAsync());
        var mainConnecting = connection.ConnectNamespaceAsync(Options("/"));
        Assert.Equal("40", await _peer.ReceiveTextAsync());

        // Answered in the other order: each reply goes to its namespace.
        await _peer.SendTextAsync("""40{"sid":"main-id"}""");
        await _peer.SendTextAsync("""40/chat,{"sid":"chat-id"}""");
        var main = Own(await mainConnecting.WaitAsync(TestTimeouts.Default));
        var chat = Own(await chatConnecting.WaitAsync(TestTimeouts.Default));

        Assert.Equal("main-id", main.Id);
        Assert.Equal("chat-id", chat.Id);
        Assert.Same(connection, chat.Connection);
        Assert.Equal(connection.Engine, main.Engine);
        Assert.Equal(1, _peer.FactoryCalls);
    }

    [Fact]
    public async Task Events_GoToTheirNamespaceOnly_AndUnknownNamespacesAreDropped()
    {
        var connection = await OpenAsync();
        await JoinAsync(connection, "/");
        await JoinAsync(connection, "/chat");

        await _peer.SendTextAsync("""42/chat,["ev",1]""");
        await _peer.SendTextAsync("""42/other,["ev",99]""");
        await _peer.SendTextAsync("""42/chat2,["ev",98]""");
        await _peer.SendTextAsync("""42["ev",2]""");

        Assert.Equal(("/chat", "ev", """["ev",1]"""), Short(await NextEventAsync()));
        Assert.Equal(("/", "ev", """["ev",2]"""), Short(await NextEventAsync()));

        // The last one sent arrived second: the dropped ones, received before it, were not delivered in between, nor after.
        Assert.False(_events.Reader.TryRead(out _));
    }

    [Fact]
    public async Task NonAsciiNamespace_IsMatchedByItsUtf8Bytes()
    {
        var connection = await OpenAsync();
        await JoinAsync(connection, "/chät");

        await _peer.SendTextAsync("""42/chät,["ev","ü"]""");

        Assert.Equal(("/chät", "ev", """["ev","ü"]"""), Short(await NextEventAsync()));
    }

    [Fact]
    public async Task Acks_HaveIdsPerNamespace_AndCompleteOnlyTheirNamespacesWaiter()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");
        var chat = await JoinAsync(connection, "/chat");

        var mainAck = EmitAsync(main, "m");
        Assert.Equal("""420["m"]""", await _peer.ReceiveTextAsync());
        var chatAck = EmitAsync(chat, "c");
        Assert.Equal("""42/chat,0["c"]""", await _peer.ReceiveTextAsync());

        await _peer.SendTextAsync("""43/chat,0["for chat"]""");
        Assert.Equal("""["for chat"]""", Utf8((await chatAck.WaitAsync(TestTimeouts.Default)).Arguments));
        Assert.False(mainAck.IsCompleted);
        Assert.Equal(1, main.PendingAckCount);

        await _peer.SendTextAsync("""430["for main"]""");
        Assert.Equal("""["for main"]""", Utf8((await mainAck.WaitAsync(TestTimeouts.Default)).Arguments));
    }

    [Fact]
    public async Task BinaryEventAndAck_WithAttachments_AreRoutedToTheirNamespace()
    {
        var connection = await OpenAsync();
        await JoinAsync(connection, "/");
        var chat = await JoinAsync(connection, "/chat");

        await _peer.SendTextAsync("""452-/chat,["bin",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""");
        await _peer.SendBinaryAsync([1, 2, 3]);
        await _peer.SendBinaryAsync([4]);
        var received = await NextEventAsync();
        Assert.Equal(("/chat", "bin"), (received.Namespace, received.Name));
        Assert.Equal([[1, 2, 3], [4]], received.Attachments);

        var ack = EmitAsync(chat, "x");
        await _peer.ReceiveTextAsync();
        await _peer.SendTextAsync("""461-/chat,0[{"_placeholder":true,"num":0}]""");
        await _peer.SendBinaryAsync([9, 8]);
        var answer = await ack.WaitAsync(TestTimeouts.Default);
        Assert.Equal(new byte[] { 9, 8 }, answer.Attachments[0].ToArray());
    }

    [Fact]
    public async Task BinaryPacketForAnUnknownNamespace_IsConsumedWithItsAttachmentsAndDropped()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");

        await _peer.SendTextAsync("""452-/elsewhere,["bin",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""");
        await _peer.SendBinaryAsync([1]);
        await _peer.SendBinaryAsync([2]);
        await _peer.SendTextAsync("""42["next"]""");

        Assert.Equal(("/", "next", """["next"]"""), Short(await NextEventAsync()));
        Assert.True(main.IsConnected);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task SentPackets_CarryTheirNamespace()
    {
        var connection = await OpenAsync();
        var chat = await JoinAsync(connection, "/chat", ackEvents: false);

        await chat.EmitAsync("hello", 1, static (writer, n) => writer.WriteNumberValue(n));
        Assert.Equal("""42/chat,["hello",1]""", await _peer.ReceiveTextAsync());

        var binary = chat.EmitAsync("bin", 0, static (writer, _) => SocketIoPacketWriter.WritePlaceholder(writer, 0), [new byte[] { 7 }]);
        Assert.Equal("""451-/chat,["bin",{"_placeholder":true,"num":0}]""", await _peer.ReceiveTextAsync());
        Assert.Equal(new byte[] { 7 }, (await _peer.ReceiveAsync()).Data);
        await binary.WaitAsync(TestTimeouts.Default);

        await chat.AckAsync(5, 0, static (writer, _) => writer.WriteStringValue("ok"));
        Assert.Equal("""43/chat,5["ok"]""", await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task ServerEventAskingForAnAck_IsAnsweredOnItsNamespace()
    {
        var connection = await OpenAsync();
        await JoinAsync(connection, "/chat");

        await _peer.SendTextAsync("""42/chat,7["ping"]""");

        Assert.Equal("43/chat,7[]", await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task ConnectError_IsTypedWithMessageAndData_AndLeavesTheConnectionAndOtherNamespacesAlone()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");

        var admin = connection.ConnectNamespaceAsync(Options("/admin", """{"token":"bad"}"""u8.ToArray()));
        Assert.Equal("""40/admin,{"token":"bad"}""", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("""44/admin,{"message":"bad token","data":{"code":"BAD","n":[1,2]}}""");

        var ex = await Assert.ThrowsAsync<SocketIoConnectException>(() => admin.WaitAsync(TestTimeouts.Default));
        Assert.Equal("/admin", ex.Namespace);
        Assert.Equal("bad token", ex.ServerMessage);
        Assert.Equal("""{"code":"BAD","n":[1,2]}""", Utf8(ex.ServerData));
        Assert.True(connection.IsOpen);
        Assert.True(main.IsConnected);

        // The main namespace still works, and the refused one can be tried again.
        var ack = EmitAsync(main, "m");
        Assert.Equal("""420["m"]""", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("""430[1]""");
        await ack.WaitAsync(TestTimeouts.Default);

        var retry = connection.ConnectNamespaceAsync(Options("/admin", """{"token":"good"}"""u8.ToArray()));
        Assert.Equal("""40/admin,{"token":"good"}""", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("""40/admin,{"sid":"a"}""");
        Assert.Equal("a", Own(await retry.WaitAsync(TestTimeouts.Default)).Id);
        Assert.Equal(0, Volatile.Read(ref _closedCalls));
    }

    [Fact]
    public async Task ConnectError_WithoutData_HasEmptyServerData()
    {
        var connection = await OpenAsync();
        var admin = connection.ConnectNamespaceAsync(Options("/admin"));
        await _peer.ReceiveTextAsync();

        await _peer.SendTextAsync("""44/admin,{"message":"Invalid namespace"}""");

        var ex = await Assert.ThrowsAsync<SocketIoConnectException>(() => admin.WaitAsync(TestTimeouts.Default));
        Assert.Equal("Invalid namespace", ex.ServerMessage);
        Assert.True(ex.ServerData.IsEmpty);
    }

    [Fact]
    public async Task NamespaceConnectTimeout_FailsThatNamespaceOnly_AndItCanBeTriedAgain()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");

        var slow = connection.ConnectNamespaceAsync(new SocketIoNamespaceOptions { Namespace = "/slow", ConnectTimeout = TimeSpan.FromMilliseconds(200) });
        Assert.Equal("40/slow,", await _peer.ReceiveTextAsync());
        await Assert.ThrowsAsync<SocketIoTimeoutException>(() => slow.WaitAsync(TestTimeouts.Default));

        Assert.True(main.IsConnected);
        Assert.True(connection.IsOpen);
        var again = connection.ConnectNamespaceAsync(Options("/slow"));
        Assert.Equal("40/slow,", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("""40/slow,{"sid":"s"}""");
        Assert.Equal("s", Own(await again.WaitAsync(TestTimeouts.Default)).Id);
    }

    [Fact]
    public async Task ServerDisconnectOfOneNamespace_EndsOnlyThatClient()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");
        var chat = await JoinAsync(connection, "/chat");
        var pending = EmitAsync(chat, "c");
        await _peer.ReceiveTextAsync();

        await _peer.SendTextAsync("41/chat,");

        Assert.Equal(("/chat", SocketIoDisconnectReason.ServerDisconnect), await NextDisconnectAsync());
        var ex = await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => pending.WaitAsync(TestTimeouts.Default));
        Assert.Equal(SocketIoDisconnectReason.ServerDisconnect, ex.Reason);
        Assert.True(ex.AfterSend);
        Assert.False(chat.IsConnected);
        Assert.True(main.IsConnected);
        Assert.True(connection.IsOpen);

        // The connection was not closed: the next thing the server hears is the main namespace's emit.
        var ack = EmitAsync(main, "still");
        Assert.Equal("""420["still"]""", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("""430[]""");
        await ack.WaitAsync(TestTimeouts.Default);
        await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => EmitAsync(chat, "gone"));
    }

    [Fact]
    public async Task LeavingOneNamespace_SendsItsDisconnect_AndKeepsTheConnection()
    {
        var connection = await OpenAsync();
        var main = await JoinAsync(connection, "/");
        var chat = await JoinAsync(connection, "/chat");

        await chat.DisconnectAsync().WaitAsync(TestTimeouts.Default);

        Assert.Equal("41/chat,", await _peer.ReceiveTextAsync());
        Assert.Equal(("/chat", SocketIoDisconnectReason.ClientDisconnect), await NextDisconnectAsync());
        Assert.True(main.IsConnected);
        Assert.True(connection.IsOpen);

        // The last namespace leaving does not close the connection either: its owner does.
        await main.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal("41", await _peer.ReceiveTextAsync());
        Assert.True(connection.IsOpen);
        await connection.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal(WebSocketMessageType.Close, (await _peer.ReceiveAsync()).Type);
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task SecondClientForTheSameNamespace_IsRefused()
    {
        var connection = await OpenAsync();
        await JoinAsync(connection, "/chat");

        await Assert.ThrowsAsync<InvalidOperationException>(() => connection.ConnectNamespaceAsync(Options("/chat")).WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task ConnectionLost_DisconnectsEveryNamespace_ThenOnClosedOnce()
    {
        var closed = new TaskCompletionSource<SocketIoDisconnectedException>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = await OpenAsync(ex =>
        {
            Interlocked.Increment(ref _closedCalls);
            closed.TrySetResult(ex);
        });
        var main = await JoinAsync(connection, "/");
        var chat = await JoinAsync(connection, "/chat");

        await _peer.CloseWithoutStatusAsync();

        var reason = await closed.Task.WaitAsync(TestTimeouts.Default);
        Assert.Equal(SocketIoDisconnectReason.TransportClose, reason.Reason);
        var seen = new[] { await NextDisconnectAsync(), await NextDisconnectAsync() }.OrderBy(d => d.Namespace, StringComparer.Ordinal).ToArray();
        Assert.Equal([("/", SocketIoDisconnectReason.TransportClose), ("/chat", SocketIoDisconnectReason.TransportClose)], seen);
        Assert.False(main.IsConnected);
        Assert.False(chat.IsConnected);
        Assert.False(connection.IsOpen);
        await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => connection.ConnectNamespaceAsync(Options("/late")).WaitAsync(TestTimeouts.Default));

        // A quiet period, not a barrier: nothing follows the close that a duplicate call would have to precede.
        await Task.Delay(TestTimeouts.Quiet);
        Assert.Equal(1, Volatile.Read(ref _closedCalls));
    }

    [Fact]
    public async Task ProtocolErrorInAnyNamespace_EndsTheWholeConnection()
    {
        var connection = await OpenAsync();
        await JoinAsync(connection, "/");
        await JoinAsync(connection, "/chat");

        await _peer.SendTextAsync("""42/chat,{"not":"an array"}""");

        var first = await NextDisconnectAsync();
        var second = await NextDisconnectAsync();
        Assert.Equal(SocketIoDisconnectReason.ProtocolError, first.Reason);
        Assert.Equal(SocketIoDisconnectReason.ProtocolError, second.Reason);
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task DisposedConnection_RefusesNewNamespaces()
    {
        var connection = await OpenAsync();
        await connection.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => connection.ConnectNamespaceAsync(Options("/chat")));
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("/a,b")]
    [InlineData("")]
    public async Task InvalidNamespace_IsAnArgumentException_NothingSent(string ns)
    {
        var connection = await OpenAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => connection.ConnectNamespaceAsync(Options(ns)));
        await Assert.ThrowsAsync<ArgumentException>(() => connection.ConnectNamespaceAsync("/x", "[1]"u8.ToArray()));

        var chat = connection.ConnectNamespaceAsync(Options("/chat"));
        Assert.Equal("40/chat,", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("""40/chat,{"sid":"c"}""");
        Own(await chat.WaitAsync(TestTimeouts.Default));
    }

    private async Task<SocketIoConnection> OpenAsync(Action<SocketIoDisconnectedException>? onClosed = null, bool protocol4 = false)
    {
        if (protocol4)
        {
            await _peer.SendOpenAsync();
        }
        else
        {
            await _peer.SendTextAsync(WebSocketPeer.OpenPacket());
        }

        var engine = _peer.CreateOptions();
        var connection = await SocketIoConnection.ConnectAsync(new SocketIoConnectionOptions
        {
            Engine = protocol4
                ? new EngineOptions { Url = engine.Url, WebSocketFactory = engine.WebSocketFactory, ConnectTimeout = engine.ConnectTimeout, Revision = EngineRevisionSelection.V3 }
                : engine,
            ConnectTimeout = TestTimeouts.Default,
            OnClosed = onClosed,
        }).WaitAsync(TestTimeouts.Default);
        _owned.Add(connection);
        return connection;
    }

    private SocketIoNamespaceOptions Options(string ns, ReadOnlyMemory<byte> auth = default, bool ackEvents = true) => new()
    {
        Namespace = ns,
        Auth = auth,
        ConnectTimeout = TestTimeouts.Default,
        AcknowledgeEvents = ackEvents,
        OnEvent = (in SocketIoEvent e) => _events.Writer.TryWrite((ns, e.Name, Utf8(e.Arguments), [.. e.Attachments.Select(a => a.ToArray())])),
        OnDisconnected = ex => _disconnects.Writer.TryWrite((ns, ex.Reason)),
    };

    /// <summary>Connects a namespace on protocol 5: expects its CONNECT and answers it.</summary>
    private async Task<SocketIoClient> JoinAsync(SocketIoConnection connection, string ns, bool ackEvents = true)
    {
        var connecting = connection.ConnectNamespaceAsync(Options(ns, ackEvents: ackEvents));
        var prefix = ns == "/" ? string.Empty : ns + ",";
        Assert.Equal("40" + prefix, await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync($"40{prefix}{{\"sid\":\"id{ns}\"}}");
        return Own(await connecting.WaitAsync(TestTimeouts.Default));
    }

    private SocketIoClient Own(SocketIoClient client)
    {
        _owned.Add(client);
        return client;
    }

    /// <summary>Emits <c>["&lt;eventName&gt;"]</c> with an ack.</summary>
    private static Task<SocketIoAck> EmitAsync(SocketIoClient client, string eventName) =>
        client.EmitWithAckAsync(eventName, 0, static (_, _) => { }, null, TestTimeouts.Default).AsTask();

    private async Task<(string Namespace, string Name, string Arguments, byte[][] Attachments)> NextEventAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        return await _events.Reader.ReadAsync(cts.Token);
    }

    private async Task<(string Namespace, SocketIoDisconnectReason Reason)> NextDisconnectAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        return await _disconnects.Reader.ReadAsync(cts.Token);
    }

    private static (string, string, string) Short((string Namespace, string Name, string Arguments, byte[][] Attachments) e) => (e.Namespace, e.Name, e.Arguments);

    private static string Utf8(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
