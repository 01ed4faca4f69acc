using System;
using System.Threading.Tasks;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content>Namespaces on protocol 4 (Engine.IO 3, protocol.md §3.3, §3.4): the server connects "/" by itself.</content>
public sealed partial class SocketIoConnectionTests
{
    [Fact]
    public async Task Protocol4_NonMainNamespace_SendsConnect_IdIsNamespaceHashSid()
    {
        var connection = await OpenAsync(protocol4: true);
        Assert.Equal(4, connection.ProtocolRevision);
        await _peer.SendTextAsync("40");

        var chat = connection.ConnectNamespaceAsync(Options("/chat", """{"token":"ignored on protocol 4"}"""u8.ToArray()));
        Assert.Equal("40/chat,", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("40/chat");

        Assert.Equal("/chat#MNQeYTmC5hM-mxNWAAAB", Own(await chat.WaitAsync(TestTimeouts.Default)).Id);
    }

    [Fact]
    public async Task Protocol4_MainNamespaceJoinedAfterTheServersConnect_IsConnectedAtOnce_WithoutSendingConnect()
    {
        var connection = await OpenAsync(protocol4: true);
        await _peer.SendTextAsync("40");
        var chat = connection.ConnectNamespaceAsync(Options("/chat"));
        Assert.Equal("40/chat,", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("40/chat");
        Own(await chat.WaitAsync(TestTimeouts.Default));

        // The server's "40" for "/" came before any client for "/" existed: the connection remembered it.
        var main = Own(await connection.ConnectNamespaceAsync(Options("/")).WaitAsync(TestTimeouts.Default));
        Assert.Equal("MNQeYTmC5hM-mxNWAAAB", main.Id);

        // Nothing was sent for the connect: the first message the server hears is the emit.
        var ack = EmitAsync(main, "m");
        Assert.Equal("""420["m"]""", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("430[]");
        await ack.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Protocol4_MainNamespaceJoinedBeforeTheServersConnect_WaitsForIt()
    {
        var connection = await OpenAsync(protocol4: true);

        var main = connection.ConnectNamespaceAsync(Options("/"));

        // A quiet period, not a barrier: on protocol 4 the join sends nothing the server could answer after it.
        await Task.Delay(TestTimeouts.Quiet);
        Assert.False(main.IsCompleted);
        await _peer.SendTextAsync("40");

        Assert.Equal("MNQeYTmC5hM-mxNWAAAB", Own(await main.WaitAsync(TestTimeouts.Default)).Id);
    }

    [Theory]
    [InlineData("44/admin,\"not authorized\"", "not authorized", "")]
    [InlineData("""44/admin,{"code":"NO_TOKEN"}""", """{"code":"NO_TOKEN"}""", """{"code":"NO_TOKEN"}""")]
    [InlineData("""44/admin,{"message":"Invalid namespace"}""", "Invalid namespace", """{"message":"Invalid namespace"}""")]
    public async Task Protocol4_ErrorPacket_StringOrObject_RefusesThatNamespaceOnly(string reply, string message, string data)
    {
        var connection = await OpenAsync(protocol4: true);
        await _peer.SendTextAsync("40");
        var main = Own(await connection.ConnectNamespaceAsync(Options("/")).WaitAsync(TestTimeouts.Default));

        var admin = connection.ConnectNamespaceAsync(Options("/admin"));
        Assert.Equal("40/admin,", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync(reply);

        var ex = await Assert.ThrowsAsync<SocketIoConnectException>(() => admin.WaitAsync(TestTimeouts.Default));
        Assert.Equal(message, ex.ServerMessage);
        Assert.Equal(data, Utf8(ex.ServerData));
        Assert.True(main.IsConnected);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task UnsolicitedMainConnect_BeforeAnyClient_IsRememberedOnProtocol5Too()
    {
        // A revision-3-only server reached over a WebSocket with revision 4 connects "/" by itself, as on protocol 4.
        var connection = await OpenAsync();
        await _peer.SendTextAsync("40");

        // A ping after it: packets are read in order, so once the pong is back the connect has been read and remembered.
        await _peer.SendTextAsync("2");
        Assert.Equal("3", await _peer.ReceiveTextAsync());

        var main = connection.ConnectNamespaceAsync(Options("/"));
        Assert.Equal("40", await _peer.ReceiveTextAsync());

        Assert.Equal("MNQeYTmC5hM-mxNWAAAB", Own(await main.WaitAsync(TestTimeouts.Default)).Id);
    }

    [Fact]
    public async Task Protocol4_MainNamespaceLeftThenJoinedAgain_WaitsForAConnectOfItsOwn()
    {
        var connection = await OpenAsync(protocol4: true);
        await _peer.SendTextAsync("40");
        var main = await connection.ConnectNamespaceAsync(Options("/")).WaitAsync(TestTimeouts.Default);
        await main.DisposeAsync();
        Assert.Equal("41", await _peer.ReceiveTextAsync());

        var again = connection.ConnectNamespaceAsync(new SocketIoNamespaceOptions { Namespace = "/", ConnectTimeout = TimeSpan.FromMilliseconds(300) });

        await Assert.ThrowsAsync<SocketIoTimeoutException>(() => again.WaitAsync(TestTimeouts.Default));
        Assert.True(connection.IsOpen);
    }
}
