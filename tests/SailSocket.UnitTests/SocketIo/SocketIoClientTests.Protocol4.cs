using System;
using System.Net.WebSockets;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content>Socket.IO protocol 4 over Engine.IO 3 on a WebSocket (protocol.md §2.5, §3.3, §3.4, §3.9).</content>
public sealed partial class SocketIoClientTests
{
    private SocketIoOptions CreateV3Options(TimerSettings? timer = null)
    {
        var options = CreateOptions(timer);
        return new SocketIoOptions
        {
            Engine = new EngineOptions
            {
                Url = options.Engine.Url,
                WebSocketFactory = options.Engine.WebSocketFactory,
                ConnectTimeout = options.Engine.ConnectTimeout,
                Revision = EngineRevisionSelection.V3,
                TimeProvider = timer?.TimeProvider ?? TimeProvider.System,
                TimerResolution = timer?.Resolution ?? TimeSpan.FromSeconds(1),
            },
            OnEvent = options.OnEvent,
            OnDisconnected = options.OnDisconnected,
            ConnectTimeout = options.ConnectTimeout,
        };
    }

    [Fact]
    public async Task Protocol4_ServerConnectsTheMainNamespace_ClientSendsNoConnect_IdIsTheEngineSid()
    {
        await _peer.SendOpenAsync();
        var connecting = SocketIoClient.ConnectAsync(CreateV3Options());
        Assert.Contains("EIO=3", _peer.RequestedUri!.Query, StringComparison.Ordinal);
        Assert.Contains("b64=1", _peer.RequestedUri!.Query, StringComparison.Ordinal);
        await _peer.SendTextAsync("40");
        _client = await connecting.WaitAsync(TestTimeouts.Default);

        Assert.Equal(4, _client.ProtocolRevision);
        Assert.Equal(EngineRevision.V3, _client.Engine.Revision);
        Assert.Equal("MNQeYTmC5hM-mxNWAAAB", _client.Id);

        // The first thing the client sends is the emit: no "40" went out before it.
        var ack = GetAsync(_client, "/echo");
        var (id, json) = SplitEmit(await _peer.ReceiveTextAsync());
        Assert.Equal("""["get",{"url":"/echo"}]""", json);
        await _peer.SendTextAsync($"43{id}[\"ok\"]");
        Assert.Equal("[\"ok\"]", Utf8((await ack.WaitAsync(TestTimeouts.Default)).Arguments));
    }

    [Fact]
    public async Task Protocol4_ErrorPacketWithAString_RefusesTheConnect()
    {
        await _peer.SendOpenAsync();
        var connecting = SocketIoClient.ConnectAsync(CreateV3Options());
        await _peer.SendTextAsync("44\"not authorized\"");

        var ex = await Assert.ThrowsAsync<SocketIoConnectException>(() => connecting.WaitAsync(TestTimeouts.Default));
        Assert.Contains("not authorized", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protocol4_BinaryFramesCarryTheTypeByte_BothWays()
    {
        await _peer.SendOpenAsync();
        var connecting = SocketIoClient.ConnectAsync(CreateV3Options());
        await _peer.SendTextAsync("40");
        _client = await connecting.WaitAsync(TestTimeouts.Default);

        // Received: 0x04 + bytes (protocol.md §2.5), and the base64 form b4… that b64=1 asks for.
        await _peer.SendTextAsync("""452-["ev",{"a":{"_placeholder":true,"num":0},"b":{"_placeholder":true,"num":1}}]""");
        await _peer.SendBinaryAsync([0x04, 0x01, 0x02, 0x03, 0xFA]);
        await _peer.SendTextAsync("b4aGk=");
        var received = await NextEventAsync();
        Assert.Equal([0x01, 0x02, 0x03, 0xFA], received.Attachments[0]);
        Assert.Equal("hi"u8.ToArray(), received.Attachments[1]);

        // Sent: the type byte goes first.
        var emit = _client.EmitAsync("post", "/x", WriteUrl, [new byte[] { 0xDE, 0xAD }]);
        Assert.StartsWith("451-", await _peer.ReceiveTextAsync(), StringComparison.Ordinal);
        var (type, data) = await _peer.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(new byte[] { 0x04, 0xDE, 0xAD }, data);
        await emit.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Protocol4_BinaryFrameWithoutTheTypeByte_IsAProtocolError()
    {
        await _peer.SendOpenAsync();
        var connecting = SocketIoClient.ConnectAsync(CreateV3Options());
        await _peer.SendTextAsync("40");
        _client = await connecting.WaitAsync(TestTimeouts.Default);

        await _peer.SendTextAsync("""451-["ev",{"_placeholder":true,"num":0}]""");
        await _peer.SendBinaryAsync([0x01, 0x02]);

        var reason = await DisconnectedAsync();
        Assert.Equal(SocketIoDisconnectReason.ProtocolError, reason.Reason);
        var engine = Assert.IsType<EngineConnectionException>(reason.InnerException);
        Assert.Equal(EngineConnectionError.ProtocolError, engine.Error);
    }

    [Fact]
    public async Task Protocol4_ClientPingsAndAnswersNothing_ServerPongsAreSwallowed()
    {
        var clock = new ManualTimeProvider();
        var timer = new TimerSettings(TimeSpan.FromMilliseconds(100), clock);
        await _peer.SendOpenAsync(pingInterval: 1000, pingTimeout: 500);
        var connecting = SocketIoClient.ConnectAsync(CreateV3Options(timer));
        await _peer.SendTextAsync("40");
        _client = await connecting.WaitAsync(TestTimeouts.Default);

        clock.Advance(TimeSpan.FromMilliseconds(1100));
        Assert.Equal("2", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("3");
        clock.Advance(TimeSpan.FromMilliseconds(400));

        // An event sent after the clock moved still arrives: the heartbeat did not end the connection at 1.5 s.
        await _peer.SendTextAsync("""42["alive"]""");
        Assert.Equal("alive", (await NextEventAsync()).Name);
        Assert.True(_client.IsConnected);

        // Next ping at 2.1 s, then silence: dead pingTimeout later.
        clock.Advance(TimeSpan.FromMilliseconds(700));
        Assert.Equal("2", await _peer.ReceiveTextAsync());
        clock.Advance(TimeSpan.FromMilliseconds(600));
        var reason = await DisconnectedAsync();
        Assert.Equal(SocketIoDisconnectReason.PingTimeout, reason.Reason);
        var engine = Assert.IsType<EngineConnectionException>(reason.InnerException);
        Assert.Equal(EngineConnectionError.PingTimeout, engine.Error);
    }
}
