using System;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content>Connecting to the main namespace (protocol.md §3.3) and the ways it fails (§3.4).</content>
public sealed partial class SocketIoClientTests
{
    [Fact]
    public async Task Connect_SendsConnectAndTakesTheIdFromTheReply()
    {
        var client = await ConnectAsync(sid: "_lEinCmrO8QVShxmAAAA");

        Assert.True(client.IsConnected);
        Assert.Equal("_lEinCmrO8QVShxmAAAA", client.Id);
        Assert.Equal("/", client.Namespace);
        Assert.Equal("MNQeYTmC5hM-mxNWAAAB", client.EngineHandshake.SessionId);
        Assert.Equal(0, client.PendingAckCount);
    }

    [Fact]
    public async Task Connect_WithAuth_SendsItInTheConnectPacket()
    {
        await _peer.SendTextAsync(WebSocketPeer.OpenPacket());
        var connecting = SocketIoClient.ConnectAsync(CreateOptions(auth: """{"token":"abc"}"""u8.ToArray()));

        Assert.Equal("""40{"token":"abc"}""", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("""40{"sid":"x"}""");
        _client = await connecting.WaitAsync(TestTimeouts.Default);
        Assert.Equal("x", _client.Id);
    }

    [Fact]
    public async Task Connect_PingBeforeTheConnectReply_IsAnswered()
    {
        await _peer.SendTextAsync(WebSocketPeer.OpenPacket());
        var connecting = SocketIoClient.ConnectAsync(CreateOptions());
        Assert.Equal("40", await _peer.ReceiveTextAsync());

        await _peer.SendTextAsync("2");
        Assert.Equal("3", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("""40{"sid":"abc"}""");

        _client = await connecting.WaitAsync(TestTimeouts.Default);
        Assert.True(_client.IsConnected);
    }

    [Theory]
    [InlineData("""44{"message":"nope"}""", "nope")]
    [InlineData("""44{"data":{"code":1},"message":"nope"}""", "nope")]
    [InlineData("44\"not authorized\"", "not authorized")]
    [InlineData("44", "(no message)")]
    public async Task Connect_ConnectError_ThrowsConnectException(string reply, string serverMessage)
    {
        await _peer.SendTextAsync(WebSocketPeer.OpenPacket());
        var connecting = SocketIoClient.ConnectAsync(CreateOptions());
        Assert.Equal("40", await _peer.ReceiveTextAsync());

        await _peer.SendTextAsync(reply);

        var ex = await Assert.ThrowsAsync<SocketIoConnectException>(() => connecting.WaitAsync(TestTimeouts.Default));
        Assert.Equal("/", ex.Namespace);
        Assert.Equal(serverMessage, ex.ServerMessage);
        Assert.Equal(0, _disconnectedCalls);
    }

    [Fact]
    public async Task Connect_NoConnectReply_TimesOutAtConnectTimeout()
    {
        var clock = new ManualTimeProvider();
        await _peer.SendTextAsync(WebSocketPeer.OpenPacket());
        var connecting = SocketIoClient.ConnectAsync(TimedOptions(clock, TimeSpan.FromMilliseconds(300)));
        Assert.Equal("40", await _peer.ReceiveTextAsync());

        clock.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(connecting.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<SocketIoTimeoutException>(() => connecting.WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Connect_NoOpenPacket_TimesOutWithSocketIoTimeout()
    {
        // The Socket.IO bound (300 ms) is shorter than the Engine.IO one (5 s): the whole connect is bounded by it.
        var clock = new ManualTimeProvider();
        var connecting = SocketIoClient.ConnectAsync(TimedOptions(clock, TimeSpan.FromMilliseconds(300)));

        clock.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(connecting.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<SocketIoTimeoutException>(() => connecting.WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Connect_EngineBoundAsLongAsTheSocketIoOne_IsOneDeadlineReportedAsSocketIoTimeout()
    {
        // The Sails layer passes one ConnectTimeout as both bounds: both fire on the same tick, and the expiry is the
        // Socket.IO layer's whichever timer runs first.
        var clock = new ManualTimeProvider();
        var connecting = SocketIoClient.ConnectAsync(TimedOptions(clock, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));

        clock.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<SocketIoTimeoutException>(() => connecting.WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Connect_NoOpenPacketWithinAShorterEngineBound_ThrowsEngineTimeout()
    {
        var clock = new ManualTimeProvider();
        var connecting = SocketIoClient.ConnectAsync(TimedOptions(clock, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200)));

        clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(connecting.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<EngineTimeoutException>(() => connecting.WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Connect_ServerClosesBeforeTheReply_ThrowsEngineConnectionException()
    {
        await _peer.SendTextAsync(WebSocketPeer.OpenPacket());
        var connecting = SocketIoClient.ConnectAsync(CreateOptions());
        Assert.Equal("40", await _peer.ReceiveTextAsync());

        await _peer.CloseWithoutStatusAsync();

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => connecting.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.ClosedByServer, ex.Error);
        Assert.Equal(0, _disconnectedCalls);
    }

    [Fact]
    public async Task Connect_ReplyForAnotherNamespace_IsIgnored()
    {
        await _peer.SendTextAsync(WebSocketPeer.OpenPacket());
        var connecting = SocketIoClient.ConnectAsync(CreateOptions());
        Assert.Equal("40", await _peer.ReceiveTextAsync());

        await _peer.SendTextAsync("""44/admin,{"message":"Invalid namespace"}""");
        await _peer.SendTextAsync("""40/admin,{"sid":"wrong"}""");
        await _peer.SendTextAsync("""40{"sid":"right"}""");

        _client = await connecting.WaitAsync(TestTimeouts.Default);
        Assert.Equal("right", _client.Id);
    }

    [Fact]
    public async Task Connect_InvalidOptions_Throw()
    {
        var options = new SocketIoOptions { Engine = _peer.CreateOptions(), Namespace = "admin" };

        await Assert.ThrowsAsync<ArgumentException>(() => SocketIoClient.ConnectAsync(options).WaitAsync(TestTimeouts.Default));

        Assert.Equal(0, _peer.FactoryCalls);
    }
}
