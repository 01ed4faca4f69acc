using System;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <content>Receiving: messages, control packets (ping, noop, close), fragments, size limit.</content>
public sealed partial class EngineConnectionTests
{
    [Fact]
    public async Task Receive_MessagePacket_IsTextWithoutTheTypeDigit()
    {
        var connection = await ConnectAsync();
        await _peer.SendTextAsync("4hello");

        var message = await connection.ReceiveWithinAsync();

        Assert.False(message.IsBinary);
        Assert.Equal("hello", Text(message));
    }

    [Fact]
    public async Task Receive_EmptyMessagePacket_IsEmptyText()
    {
        var connection = await ConnectAsync();
        await _peer.SendTextAsync("4");

        var message = await connection.ReceiveWithinAsync();

        Assert.False(message.IsBinary);
        Assert.True(message.Data.IsEmpty);
    }

    [Fact]
    public async Task Receive_BinaryMessage_IsBinaryWithAllItsBytes()
    {
        var connection = await ConnectAsync();
        byte[] bytes = [0x01, 0x02, 0x03, 0xFA];
        await _peer.SendBinaryAsync(bytes);

        var message = await connection.ReceiveWithinAsync();

        Assert.True(message.IsBinary);
        Assert.Equal(bytes, message.Data.ToArray());
    }

    [Fact]
    public async Task Receive_MessagesInOrder()
    {
        var connection = await ConnectAsync();
        await _peer.SendTextAsync("4one");
        await _peer.SendBinaryAsync([2]);
        await _peer.SendTextAsync("4three");

        Assert.Equal("one", Text(await connection.ReceiveWithinAsync()));
        Assert.Equal(new byte[] { 2 }, (await connection.ReceiveWithinAsync()).Data.ToArray());
        Assert.Equal("three", Text(await connection.ReceiveWithinAsync()));
    }

    [Fact]
    public async Task Receive_Ping_IsAnsweredWithPongAndNotReturned()
    {
        var connection = await ConnectAsync();
        await _peer.SendTextAsync("2");
        await _peer.SendTextAsync("4after ping");

        var message = await connection.ReceiveWithinAsync();

        Assert.Equal("after ping", Text(message));
        Assert.Equal("3", await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task Receive_PingWithData_IsAnsweredWithTheSameData()
    {
        var connection = await ConnectAsync();
        await _peer.SendTextAsync("2probe");
        await _peer.SendTextAsync("4x");

        await connection.ReceiveWithinAsync();

        Assert.Equal("3probe", await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task Receive_NoopAndPong_AreSkipped()
    {
        var connection = await ConnectAsync();
        await _peer.SendTextAsync("6");
        await _peer.SendTextAsync("3");
        await _peer.SendTextAsync("4after");

        Assert.Equal("after", Text(await connection.ReceiveWithinAsync()));
    }

    [Fact]
    public async Task Receive_ClosePacket_IsClosedByServer()
    {
        var connection = await ConnectAsync();
        await _peer.SendTextAsync("1");

        await ReceiveFailsAsync(connection, EngineConnectionError.ClosedByServer);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Receive_WebSocketCloseFrame_IsClosedByServer(bool withoutStatus)
    {
        var connection = await ConnectAsync();
        await (withoutStatus ? _peer.CloseWithoutStatusAsync() : _peer.CloseAsync());

        await ReceiveFailsAsync(connection, EngineConnectionError.ClosedByServer);
    }

    [Theory]
    [InlineData("9")]
    [InlineData("0{\"sid\":\"again\"}")]
    [InlineData("5")]
    [InlineData("x")]
    [InlineData("")]
    public async Task Receive_UnknownOrUnexpectedPacketType_IsProtocolError(string packet)
    {
        var connection = await ConnectAsync();
        await _peer.SendTextAsync(packet);

        var ex = await ReceiveFailsAsync(connection, EngineConnectionError.ProtocolError);

        Assert.IsType<EngineProtocolException>(ex.InnerException);
    }

    [Fact]
    public async Task Receive_AfterTheConnectionEnded_KeepsFailingWithTheSameReason()
    {
        var connection = await ConnectAsync();
        await _peer.SendTextAsync("9");
        await ReceiveFailsAsync(connection, EngineConnectionError.ProtocolError);

        await ReceiveFailsAsync(connection, EngineConnectionError.ProtocolError);
    }

    [Fact]
    public async Task Receive_FragmentedTextMessage_IsReassembled()
    {
        var connection = await ConnectAsync();
        await _peer.SendAsync("4hel"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: false);
        await _peer.SendAsync("l"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: false);
        await _peer.SendAsync([], WebSocketMessageType.Text, endOfMessage: false);
        await _peer.SendAsync("o"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true);
        await _peer.SendTextAsync("4next");

        Assert.Equal("hello", Text(await connection.ReceiveWithinAsync()));
        Assert.Equal("next", Text(await connection.ReceiveWithinAsync()));
    }

    [Fact]
    public async Task Receive_FragmentedLargeBinaryMessage_IsReassembledBeyondTheFirstBuffer()
    {
        var connection = await ConnectAsync();
        var bytes = Enumerable.Range(0, 20000).Select(i => (byte)(i * 7)).ToArray();
        for (var offset = 0; offset < bytes.Length; offset += 3000)
        {
            var length = Math.Min(3000, bytes.Length - offset);
            await _peer.SendAsync(bytes.AsSpan(offset, length).ToArray(), WebSocketMessageType.Binary, endOfMessage: offset + length == bytes.Length);
        }

        var message = await connection.ReceiveWithinAsync();

        Assert.True(message.IsBinary);
        Assert.Equal(bytes, message.Data.ToArray());
    }

    [Fact]
    public async Task Receive_MessageLargerThanMaxMessageSize_IsMessageTooLarge()
    {
        var connection = await ConnectAsync(_peer.CreateOptions(maxMessageSize: 1024));
        await _peer.SendTextAsync("4" + new string('x', 2000));

        await ReceiveFailsAsync(connection, EngineConnectionError.MessageTooLarge);
    }

    [Fact]
    public async Task Receive_FragmentsAddingUpPastMaxMessageSize_IsMessageTooLarge()
    {
        var connection = await ConnectAsync(_peer.CreateOptions(maxMessageSize: 10000));
        var chunk = Encoding.ASCII.GetBytes(new string('x', 4000));
        for (var i = 0; i < 3; i++)
        {
            await _peer.SendAsync(chunk, WebSocketMessageType.Binary, endOfMessage: i == 2);
        }

        await ReceiveFailsAsync(connection, EngineConnectionError.MessageTooLarge);
    }

    [Fact]
    public async Task Receive_MessageOfExactlyMaxMessageSize_IsAccepted()
    {
        var connection = await ConnectAsync(_peer.CreateOptions(maxMessageSize: 5000));
        await _peer.SendTextAsync("4" + new string('x', 4999));

        var message = await connection.ReceiveWithinAsync();

        Assert.Equal(4999, message.Data.Length);
    }

    [Fact]
    public async Task Receive_CallerCancels_ThrowsOperationCanceledAndClosesTheConnection()
    {
        var connection = await ConnectAsync();
        using var cts = new System.Threading.CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await connection.ReceiveAsync(cts.Token).AsTask().WaitAsync(TestTimeouts.Default));

        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(EngineConnectionError.ClosedByClient, connection.CloseReason);
    }
}
