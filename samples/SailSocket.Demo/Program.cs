// SailSocket demo: lifts the bundled Sails app (tests/sails-app) on 127.0.0.1, connects two sockets, makes requests,
// joins a room, watches model events, and prints everything it sees.
// `--seconds N` then keeps both sockets busy for N seconds (a request every 50 ms, an event every second, a reconnect
// every 10 s), so that
// `dotnet-counters monitor -n SailSocket.Demo --counters SailSocket` has live figures to show (docs/diagnostics.md).
using System.Globalization;
using System.Text.Json.Serialization;
using SailSocket;
using SailSocket.Demo;
using SailSocket.TestServers;

var busySeconds = args.Length == 2 && args[0] == "--seconds" && int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
if (args.Length > 0 && busySeconds <= 0)
{
    Console.Error.WriteLine("usage: SailSocket.Demo [--seconds N]");
    return 2;
}

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(busySeconds));
var ct = timeout.Token;

Console.WriteLine("Lifting the bundled Sails app (npm ci on first run)...");
await using var server = await SailsServer.StartAsync(cancellationToken: ct);
Console.WriteLine($"Sails is up at {server.Url}");

await using var sails = new SailsClient(new SailsClientOptions
{
    Url = server.Url,
    Headers = new Dictionary<string, string> { ["x-global"] = "sent with every request" },
});

await using var alice = await sails.ConnectAsync(ct);
await using var bob = await sails.ConnectAsync(ct);
Console.WriteLine($"alice connected as {alice.Id}, bob as {bob.Id}");

var seen = new CountdownEvent(4);
void Saw()
{
    // The busy loop keeps broadcasting after the four expected events.
    lock (seen)
    {
        if (!seen.IsSet)
        {
            seen.Signal();
        }
    }
}

alice.On("pet", e => { Console.WriteLine($"  alice <- event {e}"); Saw(); });
alice.On("chat", e => { Console.WriteLine($"  alice <- event {e}"); Saw(); });
bob.On("chat", e => { Console.WriteLine($"  bob   <- event {e}"); Saw(); });

async Task Show(string who, string what, ValueTask<SailsResponse> request)
{
    var response = await request;
    Console.WriteLine($"{who,-5} {what,-32} -> {response}");
}

await Show("alice", "GET /echo?hello=world", alice.GetAsync("/echo?hello=world", ct));
await Show("alice", "GET /pet (subscribes to pets)", alice.GetAsync("/pet", ct));
await Show("bob", "POST /pet {name: Rex}", bob.PostAsJsonAsync("/pet", new Pet("Rex", "dog"), DemoJson.Default.Pet, ct));
await Show("bob", "PATCH /pet/1 {name: Rexy}", bob.PatchAsJsonAsync("/pet/1", new Pet("Rexy", "dog"), DemoJson.Default.Pet, ct));
await Show("alice", "POST /room/join {room: lobby}", alice.PostAsJsonAsync("/room/join", new RoomRequest("lobby"), DemoJson.Default.RoomRequest, ct));
await Show("bob", "POST /room/join {room: lobby}", bob.PostAsJsonAsync("/room/join", new RoomRequest("lobby"), DemoJson.Default.RoomRequest, ct));
await Show("bob", "POST /room/broadcast", bob.PostAsJsonAsync("/room/broadcast", new RoomRequest("lobby"), DemoJson.Default.RoomRequest, ct));
await Show("alice", "GET /status/418", alice.GetAsync("/status/418", ct));
await Show("alice", "DELETE /pet/1", alice.DeleteAsync("/pet/1", ct));

if (!seen.Wait(TimeSpan.FromSeconds(10), ct))
{
    Console.WriteLine($"Only {4 - seen.CurrentCount} of 4 expected events arrived.");
    return 1;
}

Console.WriteLine("All requests answered and all expected events received.");
if (busySeconds > 0)
{
    Console.WriteLine($"Busy for {busySeconds} s (process {Environment.ProcessId}): a request every 50 ms, an event every second, a reconnect every 10 s.");
    var until = DateTime.UtcNow.AddSeconds(busySeconds);
    for (var i = 0; DateTime.UtcNow < until; i++)
    {
        var who = i % 2 == 0 ? alice : bob;
        _ = await who.GetAsync(i % 10 == 9 ? "/status/404" : "/echo?i=" + i.ToString(CultureInfo.InvariantCulture), ct);
        if (i % 200 == 199)
        {
            // About every 10 s: a fresh connection, so the connection counters move too.
            await alice.ReconnectAsync(ct);
            Console.WriteLine($"  alice reconnected as {alice.Id}");
        }

        if (i % 20 == 0)
        {
            _ = await bob.PostAsJsonAsync("/room/broadcast", new RoomRequest("lobby"), DemoJson.Default.RoomRequest, ct);
            Console.WriteLine($"  {i + 1} requests so far");
        }

        await Task.Delay(50, ct);
    }
}

Console.WriteLine("Disconnecting.");
return 0;

namespace SailSocket.Demo
{
    internal sealed record Pet(string Name, string Species);

    internal sealed record RoomRequest(string Room);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(Pet))]
    [JsonSerializable(typeof(RoomRequest))]
    internal sealed partial class DemoJson : JsonSerializerContext;
}
