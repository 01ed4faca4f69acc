// SailSocket demo: lifts the bundled Sails app (tests/sails-app) on 127.0.0.1, connects two sockets, makes requests,
// joins a room, watches model events, and prints everything it sees.
using System.Text.Json.Serialization;
using SailSocket;
using SailSocket.Demo;
using SailSocket.Testing;

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
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
alice.On("pet", e => { Console.WriteLine($"  alice <- event {e}"); seen.Signal(); });
alice.On("chat", e => { Console.WriteLine($"  alice <- event {e}"); seen.Signal(); });
bob.On("chat", e => { Console.WriteLine($"  bob   <- event {e}"); seen.Signal(); });

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

Console.WriteLine("All requests answered and all expected events received. Disconnecting.");
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
