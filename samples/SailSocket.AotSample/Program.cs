// SailSocket under Native AOT: typed requests, typed events (blueprint pubsub and a room broadcast) and a reconnect that
// replays the subscriptions, against a running Sails app (tests/sails-app). Prints one PASS or FAIL line at the end and
// exits 0 only on PASS. Every wait is bounded. Usage: SailSocket.AotSample <server url>
using System.Diagnostics;
using System.Threading.Channels;
using SailSocket;
using SailSocket.AotSample;
using SailSocket.Resources;

if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var url))
{
    Console.Error.WriteLine("usage: SailSocket.AotSample <server url>, e.g. http://127.0.0.1:1337");
    return 2;
}

var stopwatch = Stopwatch.StartNew();
var step = "start";
using var whole = new CancellationTokenSource(TimeSpan.FromSeconds(60));
try
{
    var ct = whole.Token;
    var run = Guid.NewGuid().ToString("N")[..8];   // this run's names, so other clients of the same app do not confuse it
    var room = $"aot-{run}";

    await using var sails = new SailsClient(new SailsClientOptions
    {
        Url = url,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        RequestTimeout = TimeSpan.FromSeconds(10),
    });
    step = "connect";
    await using var watcher = await sails.ConnectAsync(ct);
    await using var actor = await sails.ConnectAsync(ct);
    Console.WriteLine($"connected: watcher {watcher.Id}, actor {actor.Id}");

    // Typed events: every handler just queues what it got; the checks below wait on the queues, bounded.
    var pets = Channel.CreateUnbounded<PetMessage>();
    var chats = Channel.CreateUnbounded<ChatMessage>();
    var replays = Channel.CreateUnbounded<SailsResubscribedEventArgs>();
    using var onPet = watcher.On("pet", AotJson.Default.PetMessage, message => pets.Writer.TryWrite(message!));
    using var onChat = watcher.On("chat", AotJson.Default.ChatMessage, message => chats.Writer.TryWrite(message!));
    watcher.Resubscribed += (_, e) => replays.Writer.TryWrite(e);

    // Typed request, then two subscriptions the socket replays after every reconnect: the Pet model and a room.
    step = "typed GET /pet";
    var existing = await watcher.GetFromJsonAsync("/pet", AotJson.Default.PetArray, ct) ?? throw new InvalidOperationException("GET /pet: no body");
    Console.WriteLine($"GET /pet -> {existing.Length} pets");
    step = "subscribe";
    using var petSubscription = await watcher.SubscribeAsync(new SailsRequest("get", "/pet"), ct);
    using var roomSubscription = await watcher.SubscribeAsync(SailsRequest.Create("post", "/room/join", new RoomRequest(room), AotJson.Default.RoomRequest), ct);
    var joined = roomSubscription.LastResponse.ReadBody(AotJson.Default.RoomJoined);
    Expect(joined?.Joined == room && joined.SocketId == watcher.Id, $"POST /room/join -> {joined}");
    Console.WriteLine($"subscribed to pets and to room {room}");

    await EventsArriveAsync(1);

    step = "reconnect";
    var before = watcher.Id;
    await watcher.ReconnectAsync(ct);
    for (var replayed = 0; replayed < 2; replayed++)
    {
        var replay = await NextAsync(replays, r => true, "a subscription replay");
        Expect(replay.Succeeded, $"replay of {replay.Subscription.Request.Url} failed: {replay.Response?.StatusCode} {replay.Exception?.Message}");
    }
    Expect(watcher.Id != before && watcher.Id.Length > 0, $"socket id after reconnect: {watcher.Id} (was {before})");
    Console.WriteLine($"reconnected as {watcher.Id} (was {before}); both subscriptions replayed");

    await EventsArriveAsync(2);

    // A typed blueprint resource: criteria built as JSON, records read through the source-generated metadata.
    step = "resource find";
    var mine = await watcher.Resource("pet", AotJson.Default.Pet).FindAsync(
        new SailsQuery { Where = SailsCriteria.StartsWith("name", $"aot-{run}-"), Sort = [SailsSort.Ascending("id")], Populate = [] }, ct);
    Expect(mine.Count == 2 && mine[0].Name == $"aot-{run}-1" && mine[1].Name == $"aot-{run}-2", $"resource find -> {string.Join(", ", mine)}");
    Console.WriteLine($"resource pet: {mine.Count} pets named aot-{run}-*");

    Console.WriteLine($"PASS: typed requests, typed events and a reconnect under {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "Native AOT")} in {stopwatch.ElapsedMilliseconds} ms");
    return 0;

    // The actor creates a pet and broadcasts to the room; the watcher must see both as typed events.
    async Task EventsArriveAsync(int round)
    {
        step = $"round {round}: typed POST /pet";
        var name = $"aot-{run}-{round}";
        var created = (await actor.PostAsJsonAsync("/pet", new NewPet(name, "dog"), AotJson.Default.NewPet, ct)).EnsureSuccessStatusCode().ReadBody(AotJson.Default.Pet);
        Expect(created is { Id: > 0 } && created.Name == name, $"POST /pet -> {created}");
        step = $"round {round}: typed GET /pet/{created!.Id}";
        var read = await watcher.GetFromJsonAsync($"/pet/{created.Id}", AotJson.Default.Pet, ct);
        Expect(read == created, $"GET /pet/{created.Id} -> {read}, expected {created}");
        step = $"round {round}: pet event";
        var message = await NextAsync(pets, m => m.Data?.Name == name, $"the 'pet' event for {name}");
        Expect(message.Verb == "created" && message.Id == created.Id, $"pet event {message}");
        Console.WriteLine($"round {round}: POST /pet -> id {created.Id}; event pet: {message.Verb} id={message.Id} name={message.Data!.Name}");

        step = $"round {round}: room broadcast";
        var text = $"hello {room} #{round}";
        (await actor.PostAsJsonAsync("/room/broadcast", new Broadcast(room, "chat", new ChatMessage(text)), AotJson.Default.Broadcast, ct)).EnsureSuccessStatusCode();
        var chat = await NextAsync(chats, c => c.Text == text, $"the 'chat' event '{text}'");
        Console.WriteLine($"round {round}: event chat: {chat.Text}");
    }

    // The next queued item that matches, within 10 s.
    async Task<T> NextAsync<T>(Channel<T> channel, Func<T, bool> match, string what)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var item = await channel.Reader.ReadAsync(bound.Token);
                if (match(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{what} did not arrive within 10 s");
        }
    }
}
catch (Exception exception)
{
    Console.WriteLine($"FAIL at {step} after {stopwatch.ElapsedMilliseconds} ms: {exception.GetType().Name}: {exception.Message}");
    return 1;
}

static void Expect(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException($"unexpected: {what}");
    }
}
