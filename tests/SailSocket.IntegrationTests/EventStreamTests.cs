namespace SailSocket.IntegrationTests;

/// <summary>
/// <see cref="SailsSocket.ReadEventsAsync"/> registers when it is called, not at the first <c>MoveNextAsync</c>: an event
/// that arrives in between waits in the stream. A stream that is never enumerated ends when its token is cancelled.
/// </summary>
public sealed class EventStreamTests : SailsServerTestBase
{
    [Fact]
    public async Task An_event_that_arrives_before_the_enumeration_starts_is_not_lost()
    {
        await using var watcher = await ConnectAsync();
        await using var actor = await ConnectAsync();
        var ct = Bound.Seconds(20);
        var room = "room-" + Guid.NewGuid().ToString("N");
        Assert.Equal(200, (await watcher.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct)).StatusCode);

        // The stream first, then a plain handler: once the handler has seen the event, the event has been handed out.
        var events = watcher.ReadEventsAsync("chat", cancellationToken: ct);
        var seen = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = watcher.On("chat", e => seen.TrySetResult(e));

        Assert.Equal(200, (await actor.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat"), TestJson.Default.RoomData, ct)).StatusCode);
        await seen.Task.Within(10);

        // Only now start enumerating: the event is there.
        await using var enumerator = events.GetAsyncEnumerator(ct);
        Assert.True(await enumerator.MoveNextAsync().AsTask().Within(10));
        Assert.Equal("chat", enumerator.Current.Name);
        Assert.Equal("hello room", enumerator.Current.ReadData(TestJson.Default.ChatMessage)!.Text);
    }

    [Fact]
    public async Task Starting_the_stream_before_subscribing_sees_the_events_the_subscription_causes()
    {
        // The README's pattern: stream, SubscribeAsync, cause, then await foreach — nothing slips through the gaps.
        await using var watcher = await ConnectAsync();
        await using var actor = await ConnectAsync();
        var ct = Bound.Seconds(20);
        var events = watcher.ReadEventsAsync("pet", cancellationToken: ct);

        // A plain handler after the stream: once it has seen the created event, the stream has been handed it too.
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        using var handler = watcher.On("pet", e => seen.TryAdd(e.ReadData(TestJson.Default.PetEvent)!.Id, true));
        using var subscription = await watcher.SubscribeAsync(new SailsRequest("get", "/pet"), ct);
        var created = (await actor.PostAsJsonAsync("/pet", new PetData("Streamed"), TestJson.Default.PetData, ct)).ReadBody(TestJson.Default.Pet)!;
        await Bound.Until(() => seen.ContainsKey(created.Id), 10); // the event has arrived; the stream has not been enumerated yet

        await foreach (var e in events.WithCancellation(ct))
        {
            var pet = e.ReadData(TestJson.Default.PetEvent)!;
            if (pet.Id == created.Id)
            {
                Assert.Equal("created", pet.Verb);
                return;
            }
        }

        Assert.Fail("The stream ended without the created event.");
    }

    [Fact]
    public async Task A_stream_that_is_never_enumerated_ends_when_its_token_is_cancelled()
    {
        await using var sails = new SailsClient(new SailsClientOptions { Url = Server.Url, ConnectTimeout = TimeSpan.FromSeconds(10), MaxListenersPerEvent = 2 });
        await using var socket = await sails.ConnectAsync(Bound.Seconds(15));
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var never = socket.ReadEventsAsync("chat", cancellationToken: first.Token);
        _ = socket.ReadEventsAsync("chat", cancellationToken: second.Token);

        // Two streams hold the two handler places for "chat".
        Assert.Throws<InvalidOperationException>(() => socket.On("chat", _ => { }));
        Assert.Throws<InvalidOperationException>(() => socket.ReadEventsAsync("chat", cancellationToken: Bound.Seconds(10)));

        // Cancelling the token of a stream nobody enumerates removes its handler: its place comes back.
        await first.CancelAsync();
        var room = "room-" + Guid.NewGuid().ToString("N");
        var got = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = socket.On("chat", e => got.TrySetResult(e));
        Assert.Throws<InvalidOperationException>(() => socket.On("chat", _ => { }));

        // Events still reach the live handler; the ended stream yields nothing more.
        var ct = Bound.Seconds(15);
        await socket.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct);
        await socket.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat"), TestJson.Default.RoomData, ct);
        await got.Task.Within(10);
        await using var enumerator = never.GetAsyncEnumerator(CancellationToken.None);
        var ended = await EndsAsync(enumerator).Within(10);
        Assert.True(ended);

        await second.CancelAsync();
        using var again = socket.On("chat", _ => { });
    }

    /// <summary>Whether an ended stream finishes without yielding: either no more items or the cancellation it ended with.</summary>
    private static async Task<bool> EndsAsync(IAsyncEnumerator<SailsEvent> enumerator)
    {
        try
        {
            return !await enumerator.MoveNextAsync();
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}
