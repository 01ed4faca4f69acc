using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content>
/// Every way the connection ends (protocol.md §3.6, §3.8): pending emits fail with
/// <see cref="SocketIoDisconnectedException"/>, then <see cref="SocketIoOptions.OnDisconnected"/> runs once.
/// </content>
public sealed partial class SocketIoClientTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Disconnect_ServerClosesTheConnection_FailsPendingEmitsAndCallsOnDisconnectedOnce(bool withoutStatus)
    {
        var client = await ConnectAsync();
        var get = GetAsync(client, "/never");
        await _peer.ReceiveTextAsync();

        await (withoutStatus ? _peer.CloseWithoutStatusAsync() : _peer.CloseAsync());

        var ex = await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => get.WaitAsync(TestTimeouts.Default));
        Assert.Equal(SocketIoDisconnectReason.TransportClose, ex.Reason);
        Assert.True(ex.AfterSend);
        Assert.Equal(EngineConnectionError.ClosedByServer, Assert.IsType<EngineConnectionException>(ex.InnerException).Error);
        var reason = await DisconnectedAsync();
        Assert.Equal(SocketIoDisconnectReason.TransportClose, reason.Reason);
        Assert.False(client.IsConnected);
        Assert.Equal(0, client.PendingAckCount);
    }

    [Fact]
    public async Task Disconnect_ServerDisconnectPacket_IsServerDisconnect()
    {
        var client = await ConnectAsync();
        var get = GetAsync(client, "/disconnect-me");
        await _peer.ReceiveTextAsync();

        await _peer.SendTextAsync("41");

        var ex = await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => get.WaitAsync(TestTimeouts.Default));
        Assert.Equal(SocketIoDisconnectReason.ServerDisconnect, ex.Reason);
        Assert.Equal(SocketIoDisconnectReason.ServerDisconnect, (await DisconnectedAsync()).Reason);
        Assert.False(client.IsConnected);

        // The client closes the transport after a server DISCONNECT.
        Assert.Equal(WebSocketMessageType.Close, (await _peer.ReceiveAsync()).Type);
    }

    [Fact]
    public async Task Disconnect_ServerDisconnectForAnotherNamespace_IsIgnored()
    {
        var client = await ConnectAsync();

        await _peer.SendTextAsync("41/admin,");
        await _peer.SendTextAsync("""42["still-here"]""");

        Assert.Equal("still-here", (await NextEventAsync()).Name);
        Assert.True(client.IsConnected);
    }

    [Theory]
    [InlineData("4garbage")]
    [InlineData("""42{"not":"array"}""")]
    [InlineData("""43[1]""")]
    [InlineData("""42[1,2]""")]
    [InlineData("""42["unterminated""")]
    [InlineData("4")]
    [InlineData("47")]
    public async Task Disconnect_MalformedPacket_IsProtocolError(string message)
    {
        var client = await ConnectAsync();
        var get = GetAsync(client, "/x");
        await _peer.ReceiveTextAsync();

        await _peer.SendTextAsync(message);

        var ex = await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => get.WaitAsync(TestTimeouts.Default));
        Assert.Equal(SocketIoDisconnectReason.ProtocolError, ex.Reason);
        Assert.IsType<SocketIoProtocolException>(ex.InnerException);
        Assert.Equal(SocketIoDisconnectReason.ProtocolError, (await DisconnectedAsync()).Reason);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Disconnect_TextPacketWhileAttachmentsAreExpected_IsProtocolError()
    {
        await ConnectAsync();

        await _peer.SendTextAsync("""452-["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""");
        await _peer.SendBinaryAsync([1]);
        await _peer.SendTextAsync("""42["too early"]""");

        Assert.Equal(SocketIoDisconnectReason.ProtocolError, (await DisconnectedAsync()).Reason);
    }

    [Fact]
    public async Task Disconnect_AttachmentWithoutHeader_IsProtocolError()
    {
        await ConnectAsync();

        await _peer.SendBinaryAsync([1, 2, 3]);

        Assert.Equal(SocketIoDisconnectReason.ProtocolError, (await DisconnectedAsync()).Reason);
    }

    [Fact]
    public async Task Disconnect_TooManyAttachments_IsProtocolError()
    {
        await ConnectAsync();

        await _peer.SendTextAsync("""4511-["x"]""");

        Assert.Equal(SocketIoDisconnectReason.ProtocolError, (await DisconnectedAsync()).Reason);
    }

    [Fact]
    public async Task Disconnect_EngineProtocolError_IsProtocolError()
    {
        await ConnectAsync();

        await _peer.SendTextAsync("9");

        var reason = await DisconnectedAsync();
        Assert.Equal(SocketIoDisconnectReason.ProtocolError, reason.Reason);
        Assert.Equal(EngineConnectionError.ProtocolError, Assert.IsType<EngineConnectionException>(reason.InnerException).Error);
    }

    [Fact]
    public async Task Disconnect_AfterDisconnect_EmitsThrowWithTheSameReason()
    {
        var client = await ConnectAsync();
        await _peer.SendTextAsync("41");
        await DisconnectedAsync();

        var ack = await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => GetAsync(client, "/x").WaitAsync(TestTimeouts.Default));
        var emit = await Assert.ThrowsAsync<SocketIoDisconnectedException>(
            () => client.EmitAsync("chat", 0, static (_, _) => { }).WaitAsync(TestTimeouts.Default));

        Assert.Equal(SocketIoDisconnectReason.ServerDisconnect, ack.Reason);
        Assert.Equal(SocketIoDisconnectReason.ServerDisconnect, emit.Reason);

        // Refused before sending: the server cannot have seen these.
        Assert.False(ack.AfterSend);
        Assert.False(emit.AfterSend);
    }

    [Fact]
    public async Task Disconnect_ByTheClient_SendsDisconnectAndFailsPendingEmits()
    {
        var client = await ConnectAsync();
        var get = GetAsync(client, "/never");
        await _peer.ReceiveTextAsync();

        await client.DisconnectAsync().WaitAsync(TestTimeouts.Default);

        Assert.Equal("41", await _peer.ReceiveTextAsync());
        Assert.Equal(WebSocketMessageType.Close, (await _peer.ReceiveAsync()).Type);
        var ex = await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => get.WaitAsync(TestTimeouts.Default));
        Assert.Equal(SocketIoDisconnectReason.ClientDisconnect, ex.Reason);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Disconnect_ByTheClient_CallsOnDisconnectedOnceWithClientDisconnect()
    {
        var client = await ConnectAsync();

        await client.DisconnectAsync().WaitAsync(TestTimeouts.Default);

        Assert.Equal(SocketIoDisconnectReason.ClientDisconnect, (await DisconnectedAsync()).Reason);
    }

    [Fact]
    public async Task Disconnect_InfiniteTimeoutEmit_FailsWhenTheConnectionEnds()
    {
        var client = await ConnectAsync();
        var get = GetAsync(client, "/never", Timeout.InfiniteTimeSpan);
        await _peer.ReceiveTextAsync();

        await _peer.CloseWithoutStatusAsync();

        var ex = await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => get.WaitAsync(TestTimeouts.Default));
        Assert.Equal(SocketIoDisconnectReason.TransportClose, ex.Reason);
    }

    [Fact]
    public async Task Dispose_CallsOnDisconnectedOnce()
    {
        var client = await ConnectAsync();

        await client.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal(SocketIoDisconnectReason.ClientDisconnect, (await DisconnectedAsync()).Reason);
    }

    [Fact]
    public async Task Dispose_Twice_IsHarmless()
    {
        var client = await ConnectAsync();

        await client.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        await client.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);

        Assert.False(client.IsConnected);
    }
}
