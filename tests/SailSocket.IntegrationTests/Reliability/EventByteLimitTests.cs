using System.Text.Json;

namespace SailSocket.IntegrationTests.Reliability;

/// <summary>
/// A server flooding large events at a stuck consumer cannot grow the client's memory past
/// <see cref="SailsClientOptions.MaxPendingEventBytes"/> — for blocked handlers (the arriving events are dropped) and for a
/// <see cref="SailsSocket.ReadEventsAsync"/> stream nobody reads (the oldest are dropped) — and every drop is counted.
/// </summary>
public sealed class EventByteLimitTests
{
    private const int Events = 200;
    private const int PadLength = 2000;
    private const long MaxBytes = 64 * 1024;

    [Fact]
    public async Task Blocked_handlers_hold_at_most_the_byte_bound_and_the_rest_is_dropped_and_counted()
    {
        var server = await SharedSailsServer.GetAsync();
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, MaxPendingEventBytes = MaxBytes });
        await using var receiver = await client.ConnectAsync(Bound.Seconds(15));
        await using var sender = await client.ConnectAsync(Bound.Seconds(15));
        var room = await JoinAsync(receiver);
        using var gate = new ManualResetEventSlim();
        var handled = 0;
        using var registration = receiver.On("big", _ =>
        {
            gate.Wait(TimeSpan.FromSeconds(30));
            Interlocked.Increment(ref handled);
        });

        await FloodAsync(sender, room);
        var size = PayloadSize(0);
        var held = (int)(MaxBytes / size); // waiting in the queue, plus one in the blocked handler
        await Bound.Until(() => receiver.DroppedEventCount >= Events - held - 1, 15);

        gate.Set();
        await Bound.Until(() => Volatile.Read(ref handled) + receiver.DroppedEventCount == Events, 15);
        Assert.InRange(Volatile.Read(ref handled), 2, held + 1);
        Assert.Equal(200, (await receiver.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
    }

    [Fact]
    public async Task A_stream_nobody_reads_holds_at_most_the_byte_bound_in_order_and_counts_every_drop()
    {
        var server = await SharedSailsServer.GetAsync();
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, MaxPendingEventBytes = MaxBytes });
        await using var receiver = await client.ConnectAsync(Bound.Seconds(15));
        await using var sender = await client.ConnectAsync(Bound.Seconds(15));
        var room = await JoinAsync(receiver);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var stream = receiver.ReadEventsAsync("big", cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var first = stream.MoveNextAsync(); // registers the stream; then the consumer is stuck until the flood is over

        await FloodAsync(sender, room);
        Assert.True(await first);
        Assert.Equal(0, N(stream.Current));
        var held = (int)(MaxBytes / PayloadSize(Events - 1));
        await Bound.Until(() => receiver.DroppedEventCount >= Events - 1 - held, 15);

        // What is left is in order and no more than the bound holds; every event not read was counted as dropped. On a
        // quiet machine it is the newest events; streams are fed through the socket's handler queue, so on a loaded one
        // that queue's own bound (which drops arriving events) may already have dropped some of the last ones.
        var rest = new List<int>();
        while (rest.Count == 0 || rest[^1] != Events - 1)
        {
            var next = stream.MoveNextAsync().AsTask();
            if (await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(3))) != next)
            {
                // Nothing more is coming: end the pending read before the enumerator is disposed.
                await cts.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.Within(10));
                break;
            }

            Assert.True(await next);
            rest.Add(N(stream.Current));
        }

        Assert.InRange(rest.Count, 1, held);
        Assert.Equal(rest.Order(), rest);
        Assert.Equal(rest.Count, rest.Distinct().Count());
        Assert.Equal(Events - 1 - rest.Count, receiver.DroppedEventCount);
    }

    private static async Task<string> JoinAsync(SailsSocket socket)
    {
        var room = "bytes-" + Guid.NewGuid().ToString("N");
        await socket.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, Bound.Seconds(10));
        return room;
    }

    private static async Task FloodAsync(SailsSocket sender, string room)
    {
        var pad = new string('p', PadLength);
        var posts = Enumerable.Range(0, Events).Select(n =>
        {
            using var data = JsonDocument.Parse($$"""{"n":{{n}},"pad":"{{pad}}"}""");
            return sender.PostAsJsonAsync("/room/broadcast", new RoomData(room, "big", data.RootElement.Clone()), TestJson.Default.RoomData, Bound.Seconds(30)).AsTask();
        }).ToArray();
        Assert.All(await Task.WhenAll(posts).Within(30), r => Assert.Equal(200, r.StatusCode));
    }

    private static long PayloadSize(int n) => $$"""{"n":{{n}},"pad":""}""".Length + PadLength;

    private static int N(SailsEvent e) => e.ReadDataAsElement().GetProperty("n").GetInt32();
}
