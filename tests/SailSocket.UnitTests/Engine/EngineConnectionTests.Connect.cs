using System;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <content>Opening: the open packet, and the ways a server can fail to send one.</content>
public sealed partial class EngineConnectionTests
{
    [Fact]
    public async Task Connect_ReadsTheOpenPacket()
    {
        var connection = await ConnectAsync(openPacket: WebSocketPeer.OpenPacket(pingInterval: 2000, pingTimeout: 1500, maxPayload: 4000));

        Assert.True(connection.IsOpen);
        Assert.Null(connection.CloseReason);
        Assert.Equal("MNQeYTmC5hM-mxNWAAAB", connection.Handshake.SessionId);
        Assert.Equal(TimeSpan.FromMilliseconds(2000), connection.Handshake.PingInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), connection.Handshake.PingTimeout);
        Assert.Equal(4000, connection.Handshake.MaxPayload);
    }

    [Fact]
    public async Task Connect_AsksTheFactoryForTheHandshakeUrl()
    {
        await ConnectAsync();

        Assert.Equal(1, _peer.FactoryCalls);
        Assert.Equal("ws://127.0.0.1:1/socket.io/?EIO=4&transport=websocket", _peer.RequestedUri?.AbsoluteUri);
    }

    [Theory]
    [InlineData("4hello")]
    [InlineData("2")]
    [InlineData("0")]
    [InlineData("0not json")]
    [InlineData("0{\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":60000}")]
    [InlineData("")]
    public async Task Connect_FirstMessageNotAnOpenPacket_IsNotEngineIo(string first)
    {
        await _peer.SendTextAsync(first);

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(_peer.CreateOptions()).WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.NotEngineIo, ex.Error);
    }

    [Fact]
    public async Task Connect_FirstMessageBinary_IsNotEngineIo()
    {
        await _peer.SendBinaryAsync([(byte)'0', (byte)'{', (byte)'}']);

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(_peer.CreateOptions()).WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.NotEngineIo, ex.Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Connect_ServerClosesBeforeTheOpenPacket_IsNotEngineIo(bool withoutStatus)
    {
        await (withoutStatus ? _peer.CloseWithoutStatusAsync() : _peer.CloseAsync());

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(_peer.CreateOptions()).WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.NotEngineIo, ex.Error);
    }

    [Fact]
    public async Task Connect_NoOpenPacket_TimesOutAtConnectTimeout()
    {
        // The bound reads the options' clock.
        var clock = new ManualTimeProvider();
        var connecting = EngineConnection.ConnectAsync(_peer.CreateOptions(TimeSpan.FromMilliseconds(200), timer: new TimerSettings(TimeSpan.FromMilliseconds(100), clock)));

        clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(connecting.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<EngineTimeoutException>(() => connecting.WaitAsync(TestTimeouts.Default));
        Assert.Equal(0, clock.ActiveTimerCount);
    }

    [Fact]
    public async Task Connect_CallerCancels_ThrowsOperationCanceledWithTheCallersToken()
    {
        using var cts = new System.Threading.CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => EngineConnection.ConnectAsync(_peer.CreateOptions(), cts.Token).WaitAsync(TestTimeouts.Default));

        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task Connect_InvalidOptions_ThrowBeforeAnyWebSocketIsOpened()
    {
        var options = new EngineOptions { Url = new Uri("ftp://127.0.0.1:1"), WebSocketFactory = _peer.CreateOptions().WebSocketFactory };

        await Assert.ThrowsAsync<ArgumentException>(() => EngineConnection.ConnectAsync(options).WaitAsync(TestTimeouts.Default));

        Assert.Equal(0, _peer.FactoryCalls);
    }
}
