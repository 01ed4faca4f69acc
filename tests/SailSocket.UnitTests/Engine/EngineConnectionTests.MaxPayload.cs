using System;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <content>
/// A server's <c>maxPayload</c> that the protocol's own packets cannot fit: refused at connect; and a ping whose pong
/// would exceed it is a protocol error, the pong is not sent.
/// </content>
public sealed partial class EngineConnectionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    public async Task Connect_MaxPayloadTooSmallForTheProtocolsOwnPackets_IsRefusedAtConnect(int maxPayload)
    {
        await _peer.SendTextAsync(WebSocketPeer.OpenPacket(maxPayload: maxPayload));
        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(_peer.CreateOptions()).WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.ProtocolError, ex.Error);
        Assert.Contains("maxPayload", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_MaxPayloadOfTheMinimum_Connects()
    {
        var connection = await ConnectAsync(openPacket: WebSocketPeer.OpenPacket(maxPayload: 16));
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Ping_WhosePongWouldExceedMaxPayload_IsAProtocolError_AndNoPongIsSent()
    {
        var connection = await ConnectAsync(openPacket: WebSocketPeer.OpenPacket(maxPayload: 100));
        var receive = connection.ReceiveAsync().AsTask();

        // A pong within the limit is sent: "2" + 99 bytes is answered with "3" + the same 99 bytes (100 bytes).
        var fits = new string('a', 99);
        await _peer.SendTextAsync("2" + fits);
        Assert.Equal("3" + fits, await _peer.ReceiveTextAsync());

        await _peer.SendTextAsync("2" + new string('b', 100));
        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => receive.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.ProtocolError, ex.Error);
        Assert.Contains("maxPayload", ex.Message, StringComparison.Ordinal);
        Assert.False(connection.IsOpen);
    }
}
