using System;
using System.Threading.Channels;
using System.Threading.Tasks;
using SailSocket.Testing;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Testing;

/// <summary>Events the test pushes: to one socket, to a room (joined by the test or by a route), to everyone.</summary>
public sealed class FakeSailsServerPushTests
{
    /// <summary>Three connected sockets with a channel of the <c>order</c> events each receives.</summary>
    private sealed class Three : IAsyncDisposable
    {
        public FakeSailsServer Server { get; } = new();

        public SailsClient Client { get; private set; } = null!;

        public (SailsSocket Socket, FakeSocket Fake, Channel<string> Events)[] Sockets { get; } = new (SailsSocket, FakeSocket, Channel<string>)[3];

        public static async Task<Three> ConnectAsync()
        {
            var three = new Three();
            three.Server.Post("/orders/subscribe", req =>
            {
                req.Socket.Join("orders");
                return FakeResponse.Status(200);
            });
            three.Client = new SailsClient(three.Server.CreateClientOptions());
            for (var i = 0; i < 3; i++)
            {
                var socket = await three.Client.ConnectAsync().WaitAsync(TestTimeouts.Default);
                var fake = await three.Server.WaitForSocketAsync(TestTimeouts.Default);
                Assert.Equal(socket.Id, fake.Id);
                var events = Channel.CreateUnbounded<string>();
                socket.On("order", e => events.Writer.TryWrite(e.Data.ToString()));
                three.Sockets[i] = (socket, fake, events);
            }

            return three;
        }

        public async Task<string> NextAsync(int socket) => await Sockets[socket].Events.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default);

        public async Task AssertNothingFor(int socket)
        {
            await Task.Delay(TestTimeouts.Quiet);
            Assert.False(Sockets[socket].Events.Reader.TryRead(out var unexpected), $"socket {socket} got {unexpected}");
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    [Fact]
    public async Task EmitToOneSocket_ReachesOnlyThatSocket()
    {
        await using var t = await Three.ConnectAsync();

        await t.Sockets[1].Fake.EmitAsync("order", new KitOrder(1, "new"), KitJsonContext.Default.KitOrder);

        Assert.Equal("""{"id":1,"state":"new"}""", await t.NextAsync(1));
        await t.AssertNothingFor(0);
        await t.AssertNothingFor(2);
    }

    [Fact]
    public async Task EmitToRoom_ReachesMembersJoinedByARouteOrByTheTest_ExceptTheOneLeftOut()
    {
        await using var t = await Three.ConnectAsync();
        await t.Sockets[0].Socket.PostAsync("/orders/subscribe").AsTask().WaitAsync(TestTimeouts.Default);
        t.Sockets[2].Fake.Join("orders");
        Assert.Equal(["orders"], t.Sockets[0].Fake.Rooms);
        Assert.Equal(2, t.Server.Room("orders").Members.Count);

        await t.Server.Room("orders").EmitJsonAsync("order", """{"id":2}""");
        Assert.Equal("""{"id":2}""", await t.NextAsync(0));
        Assert.Equal("""{"id":2}""", await t.NextAsync(2));
        await t.AssertNothingFor(1);

        await t.Server.Room("orders").EmitJsonAsync("order", """{"id":3}""", except: t.Sockets[0].Fake);
        Assert.Equal("""{"id":3}""", await t.NextAsync(2));
        await t.AssertNothingFor(0);

        t.Sockets[2].Fake.Leave("orders");
        Assert.Empty(t.Sockets[2].Fake.Rooms);
        Assert.Single(t.Server.Room("orders").Members);
    }

    [Fact]
    public async Task Broadcast_ReachesEverySocket()
    {
        await using var t = await Three.ConnectAsync();

        await t.Server.BroadcastJsonAsync("order", "[1,2]");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("[1,2]", await t.NextAsync(i));
        }
    }

    [Fact]
    public async Task ClosedSocket_LeavesItsRooms_AndEmittingToItThrows()
    {
        await using var t = await Three.ConnectAsync();
        var fake = t.Sockets[0].Fake;
        fake.Join("orders");

        await t.Sockets[0].Socket.DisposeAsync();
        await fake.Closed.WaitAsync(TestTimeouts.Default);

        Assert.False(fake.IsConnected);
        Assert.Empty(t.Server.Room("orders").Members);
        Assert.Equal(2, t.Server.Sockets.Count);
        await Assert.ThrowsAsync<InvalidOperationException>(() => fake.EmitJsonAsync("order", "1").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => t.Sockets[1].Fake.EmitJsonAsync("order", "{oops").AsTask());
    }
}
