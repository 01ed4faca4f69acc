using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.WebSockets;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <content>Sending: one writer per socket, attachments right after their header, the server's maxPayload.</content>
public sealed partial class EngineConnectionTests
{
    [Fact]
    public async Task Send_TextMessage_ArrivesWithTheMessageTypeDigit()
    {
        var connection = await ConnectAsync();
        using var message = Message("""2["chat",{"text":"hi"}]""");

        await connection.SendAsync(message).AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal("""42["chat",{"text":"hi"}]""", await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task Send_WithBinaryMessages_SendsThemRightAfterTheText()
    {
        var connection = await ConnectAsync();
        using var message = Message("""51-["post",{"_placeholder":true,"num":0}]""");
        ReadOnlyMemory<byte>[] attachments = [new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, new byte[] { 0xFF }];

        await connection.SendAsync(message, attachments).AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal("""451-["post",{"_placeholder":true,"num":0}]""", await _peer.ReceiveTextAsync());
        var first = await _peer.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, first.Type);
        Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, first.Data);
        var second = await _peer.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, second.Type);
        Assert.Equal(new byte[] { 0xFF }, second.Data);
    }

    [Fact]
    public async Task Send_LargerThanMaxPayload_ThrowsAndSendsNothing()
    {
        var connection = await ConnectAsync(openPacket: WebSocketPeer.OpenPacket(maxPayload: 100));
        using var tooLarge = Message(new string('x', 100));

        var ex = await Assert.ThrowsAsync<EngineMessageTooLargeException>(() => connection.SendAsync(tooLarge).AsTask().WaitAsync(TestTimeouts.Default));

        // 100 bytes of packet + the message type digit.
        Assert.Equal(101, ex.Size);
        Assert.Equal(100, ex.Limit);
        Assert.True(connection.IsOpen);

        using var fits = Message(new string('y', 99));
        await connection.SendAsync(fits).AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal("4" + new string('y', 99), await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task Send_AttachmentLargerThanMaxPayload_ThrowsAndSendsNothing()
    {
        var connection = await ConnectAsync(openPacket: WebSocketPeer.OpenPacket(maxPayload: 100));
        using var header = Message("""51-["x",{"_placeholder":true,"num":0}]""");

        await Assert.ThrowsAsync<EngineMessageTooLargeException>(() => connection.SendAsync(header, [new byte[101]]).AsTask().WaitAsync(TestTimeouts.Default));

        using var probe = Message("1");
        await connection.SendAsync(probe).AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal("41", await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task Send_NoMaxPayloadInTheOpenPacket_MeansNoLimit()
    {
        var connection = await ConnectAsync(openPacket: """0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":60000}""");
        using var large = Message(new string('z', 50000));

        await connection.SendAsync(large).AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal(50001, (await _peer.ReceiveTextAsync()).Length);
    }

    [Fact]
    public async Task Send_ConcurrentlyFromManyTasks_EveryMessageArrivesIntact()
    {
        const int Senders = 40;
        var connection = await ConnectAsync();
        var payload = new string('p', 3000);

        // Each sender rents and sends on its own thread; a WebSocket throws on a second concurrent send, so any
        // gap in the send lock shows up as a failure or a corrupted message.
        var sends = Enumerable.Range(0, Senders).Select(i => Task.Run(async () =>
        {
            using var message = Message($"2[\"m\",{i},\"{payload}\"]");
            await connection.SendAsync(message).AsTask().WaitAsync(TestTimeouts.Default);
        }));
        var sending = Task.WhenAll(sends);

        var received = new HashSet<string>();
        for (var i = 0; i < Senders; i++)
        {
            Assert.True(received.Add(await _peer.ReceiveTextAsync()));
        }

        await sending.WaitAsync(TestTimeouts.Default);
        var expected = Enumerable.Range(0, Senders).Select(i => $"42[\"m\",{i},\"{payload}\"]").ToHashSet();
        Assert.Equal(expected, received);
    }

    [Fact]
    public async Task Send_AfterTheServerClosed_ThrowsConnectionException()
    {
        var connection = await ConnectAsync();
        await _peer.SendTextAsync("1");
        await ReceiveFailsAsync(connection, EngineConnectionError.ClosedByServer);
        using var message = Message("2[\"x\"]");

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => connection.SendAsync(message).AsTask().WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.ClosedByServer, ex.Error);
    }

    [Fact]
    public async Task Send_AfterDispose_ThrowsClosedByClient()
    {
        var connection = await ConnectAsync();
        await connection.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        using var message = Message("2[\"x\"]");

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => connection.SendAsync(message).AsTask().WaitAsync(TestTimeouts.Default));

        Assert.Equal(EngineConnectionError.ClosedByClient, ex.Error);
    }

    [Fact]
    public async Task Close_SendsACloseFrameAndEndsAPendingReceive()
    {
        var connection = await ConnectAsync();
        var receive = connection.ReceiveAsync().AsTask();

        await connection.CloseAsync().AsTask().WaitAsync(TestTimeouts.Default);

        var (type, _) = await _peer.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Close, type);
        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => receive.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.ClosedByClient, ex.Error);
        Assert.Equal(EngineConnectionError.ClosedByClient, connection.CloseReason);
    }

    [Fact]
    public async Task Dispose_Twice_IsHarmless()
    {
        var connection = await ConnectAsync();

        await connection.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        await connection.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);

        Assert.False(connection.IsOpen);
    }
}
