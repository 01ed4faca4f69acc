using System.Collections.Concurrent;

namespace SailSocket.IntegrationTests.Parity;

/// <summary>Once, OnAny, typed handlers and event streams against the real app.</summary>
public sealed class EventApiTests : SailsServerTestBase
{
    [Fact]
    public async Task A_thousand_events_reach_a_slow_async_consumer_in_order()
    {
        await using var socket = await ConnectAsync();
        var room = "room-" + Guid.NewGuid().ToString("N");
        await socket.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, Bound.Seconds(10));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<int>();

        // The stream registers here, before the burst; the consumer enumerates it on the thread pool.
        var ticks = socket.ReadEventsAsync("tick", capacity: 2000, cts.Token);
        var consumer = Task.Run(async () =>
        {
            await foreach (var e in ticks)
            {
                received.Add(e.ReadData(TestJson.Default.Tick)!.N);
                if (received.Count % 50 == 0)
                {
                    await Task.Delay(10, cts.Token); // the slow consumer: not a wait for anything
                }

                if (received.Count == 1000)
                {
                    return;
                }
            }
        });
        Assert.Equal(1000, (await socket.PostAsJsonAsync("/room/burst", new BurstData(room, 1000), TestJson.Default.BurstData, Bound.Seconds(20))).ReadBodyAsElement().GetProperty("sent").GetInt32());
        await consumer.Within(60);
        Assert.Equal(Enumerable.Range(0, 1000), received);
    }

    [Fact]
    public async Task A_flood_of_events_to_a_stuck_handler_is_bounded_and_counted()
    {
        await using var client = new SailsClient(new SailsClientOptions { Url = Server.Url, MaxPendingEvents = 100 });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var room = "room-" + Guid.NewGuid().ToString("N");
        using var release = new ManualResetEventSlim();
        var handled = 0;
        socket.On("tick", _ =>
        {
            release.Wait(TimeSpan.FromSeconds(20));
            Interlocked.Increment(ref handled);
        });
        await socket.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, Bound.Seconds(10));
        await socket.PostAsJsonAsync("/room/burst", new BurstData(room, 1000), TestJson.Default.BurstData, Bound.Seconds(20));

        // The receive loop is not held up by the stuck handler: requests are still answered.
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
        await Bound.Until(() => socket.DroppedEventCount + 101 >= 1000, 10);
        release.Set();
        await Bound.Until(() => Volatile.Read(ref handled) + socket.DroppedEventCount == 1000, 20);
        Assert.InRange(Volatile.Read(ref handled), 100, 101);
    }

    [Fact]
    public async Task Once_OnAny_and_typed_handlers()
    {
        await using var socket = await ConnectAsync();
        var room = "room-" + Guid.NewGuid().ToString("N");
        var once = new ConcurrentQueue<int>();
        var any = new ConcurrentQueue<string>();
        var typed = new BlockingCollection<int>();
        socket.Once("tick", e => once.Enqueue(e.ReadData(TestJson.Default.Tick)!.N));
        using var anyRegistration = socket.OnAny(e => any.Enqueue(e.Name));
        socket.On("tick", TestJson.Default.Tick, t => typed.Add(t!.N));
        await socket.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, Bound.Seconds(10));
        await socket.PostAsJsonAsync("/room/burst", new BurstData(room, 3), TestJson.Default.BurstData, Bound.Seconds(10));
        for (var i = 0; i < 3; i++)
        {
            Assert.True(typed.TryTake(out var n, TimeSpan.FromSeconds(10)));
            Assert.Equal(i, n);
        }

        Assert.Equal([0], once);
        Assert.Equal(["tick", "tick", "tick"], any);
        anyRegistration.Dispose();
        await socket.PostAsJsonAsync("/room/burst", new BurstData(room, 1), TestJson.Default.BurstData, Bound.Seconds(10));
        Assert.True(typed.TryTake(out _, TimeSpan.FromSeconds(10)));
        Assert.Equal(3, any.Count);
        Assert.Single(once);
    }

    [Fact]
    public async Task Reserved_event_names_are_refused()
    {
        await using var socket = await ConnectAsync();
        foreach (var name in new[] { "connect", "disconnect", "connect_error", "disconnecting", "newListener", "removeListener" })
        {
            Assert.Throws<ArgumentException>(() => socket.On(name, _ => { }));
        }

        Assert.Throws<ArgumentException>(() => socket.On("", _ => { }));
    }

    [Fact]
    public async Task Lifecycle_handlers_can_be_removed()
    {
        var connected = 0;
        var marker = 0;
        void OnConnected(object? sender, SailsConnectionEventArgs e) => Interlocked.Increment(ref connected);
        void OnMarker(object? sender, SailsConnectionEventArgs e) => Interlocked.Increment(ref marker);
        await using var client = new SailsClient(new SailsClientOptions { Url = Server.Url, AutoConnect = false, ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var socket = client.CreateSocket();
        socket.Connected += OnConnected;
        await socket.ConnectAsync(Bound.Seconds(15));

        // Lifecycle events are dispatched off the receive loop: wait until the first one has been handled.
        await Bound.Until(() => Volatile.Read(ref connected) == 1, 10);
        await socket.DisconnectAsync();
        socket.Connected -= OnConnected;
        socket.Connected += OnMarker;
        await socket.ConnectAsync(Bound.Seconds(15));

        // Handlers of one event run in order: once the marker has seen the second Connected, a handler still attached
        // would have seen it too.
        await Bound.Until(() => Volatile.Read(ref marker) == 1, 10);
        Assert.Equal(1, Volatile.Read(ref connected));
    }
}
