using SailSocket.Testing;
using Xunit;

namespace SailSocket.TestingSample.Tests;

public sealed class OrderWatcherTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    private readonly FakeSailsServer _server = new();
    private SailsClient _client = null!;

    public Task InitializeAsync()
    {
        // The app under test: GET /orders lists the orders and subscribes the socket to their room, as a blueprint does.
        _server.Get("/orders", req =>
        {
            req.Socket.Join("orders");
            return FakeResponse.Json("""[{"id":1,"state":"new"},{"id":2,"state":"paid"}]""");
        });
        _client = new SailsClient(new SailsClientOptions
        {
            Url = _server.Url,
            WebSocketFactory = _server.WebSocketFactory,
            Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromMilliseconds(50) },
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Start_LoadsTheOrders()
    {
        await using var socket = await _client.ConnectAsync();
        using var watcher = new OrderWatcher(socket);

        await watcher.StartAsync();

        Assert.Equal(new Order(2, "paid"), watcher.Orders[2]);
        Assert.Equal(2, watcher.Orders.Count);
    }

    [Fact]
    public async Task OrderEvents_UpdateAndRemoveOrders()
    {
        await using var socket = await _client.ConnectAsync();
        using var watcher = new OrderWatcher(socket);
        await watcher.StartAsync();
        var changes = new ChangeLog(watcher);

        await _server.Room("orders").EmitJsonAsync("order", """{"verb":"updated","id":1,"data":{"id":1,"state":"shipped"}}""");
        await _server.Room("orders").EmitJsonAsync("order", """{"verb":"destroyed","id":2}""");
        await changes.WaitForAsync(2);

        Assert.Equal("shipped", watcher.Orders[1].State);
        Assert.False(watcher.Orders.ContainsKey(2));
    }

    [Fact]
    public async Task AnErrorFromTheApp_FailsStart()
    {
        await using var server = new FakeSailsServer();
        server.Get("/orders", _ => FakeResponse.Status(403));
        await using var client = new SailsClient(server.CreateClientOptions());
        await using var socket = await client.ConnectAsync();
        using var watcher = new OrderWatcher(socket);

        var ex = await Assert.ThrowsAsync<SailsRequestException>(() => watcher.StartAsync());
        Assert.Equal(403, ex.StatusCode);
    }

    [Fact]
    public async Task AfterTheConnectionDrops_TheSubscriptionIsReplayed_AndEventsStillArrive()
    {
        await using var socket = await _client.ConnectAsync();
        using var watcher = new OrderWatcher(socket);
        await watcher.StartAsync();
        var first = await _server.WaitForSocketAsync(s_wait);

        await first.DropAsync();
        var second = await _server.WaitForSocketAsync(s_wait);

        // The replayed GET /orders joined the new socket to the room again.
        await _server.WaitForRequestAsync(r => r.Path == "/orders" && r.SocketId == second.Id, s_wait);
        var changes = new ChangeLog(watcher);
        await _server.Room("orders").EmitJsonAsync("order", """{"verb":"created","id":3,"data":{"id":3,"state":"new"}}""");
        await changes.WaitForAsync(1);
        Assert.Equal("new", watcher.Orders[3].State);
        Assert.Equal(2, _server.Received.Count(r => r.Path == "/orders"));
    }

    /// <summary>Counts <see cref="OrderWatcher.Changed"/> and waits, bounded, for a number of them.</summary>
    private sealed class ChangeLog
    {
        private readonly SemaphoreSlim _changes = new(0);

        public ChangeLog(OrderWatcher watcher) => watcher.Changed += _ => _changes.Release();

        public async Task WaitForAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(await _changes.WaitAsync(s_wait), "the watcher saw no change");
            }
        }
    }
}
