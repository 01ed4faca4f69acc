using System.Collections.Concurrent;
using System.Text.Json;
using SailSocket.Live;
using SailSocket.TestServers;
using Xunit.Abstractions;
using static SailSocket.IntegrationTests.Live.LiveTestKit;

namespace SailSocket.IntegrationTests.Live;

/// <summary>
/// The live collections' promise: under hundreds of random changes from other sockets, with the server restarted twice
/// in the middle (its data kept on disk), every collection ends equal to a fresh find — no duplicate, no lost record —
/// and its change stream reports exactly the differences.
/// </summary>
public sealed class ConvergenceTests(ITestOutputHelper output)
{
    private const int Operations = 600;
    private static readonly int[] s_restartAt = [200, 400];

    [Fact]
    public async Task Live_collections_converge_under_random_changes_and_two_server_restarts()
    {
        var dataDir = Directory.CreateTempSubdirectory("sailsocket-live-");
        var environment = new Dictionary<string, string> { ["SAILS_DISK_DIR"] = dataDir.FullName };
        var server = await SailsServer.StartAsync(environment);
        environment["PORT"] = server.Port.ToString();
        try
        {
            var options = new SailsClientOptions
            {
                Url = server.Url,
                Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromMilliseconds(100), DelayMax = TimeSpan.FromMilliseconds(300) },
                RequestTimeout = TimeSpan.FromSeconds(20),
                ConnectTimeout = TimeSpan.FromSeconds(20),
            };
            await using var client = new SailsClient(options);
            await using var live = await client.ConnectAsync(Bound.Seconds(15));
            var writers = new SailsSocket[3];
            for (var i = 0; i < writers.Length; i++)
            {
                writers[i] = await client.ConnectAsync(Bound.Seconds(15));
            }

            // Seed: owners, tags, pets.
            var random = new Random(16);
            var owners = new List<int>();
            var tags = new List<int>();
            var pets = new ConcurrentDictionary<int, byte>();
            for (var i = 0; i < 4; i++)
            {
                owners.Add(Id(await SendAsync(writers[0], "post", "/owner", $$"""{"name":"owner{{i}}"}""")));
                tags.Add(Id(await SendAsync(writers[0], "post", "/tag", $$"""{"label":"tag{{i}}"}""")));
            }

            for (var i = 0; i < 20; i++)
            {
                pets[Id(await SendAsync(writers[0], "post", "/pet", PetBody(random, owners)))] = 0;
            }

            var liveOptions = new LiveCollectionOptions { RefetchDelay = TimeSpan.FromMilliseconds(30) };
            var queries = new[]
            {
                new LiveQuery("pet") { Sort = "name ASC" },
                new LiveQuery("pet") { Where = Json("""{"age":{">=":10}}"""), Sort = "age DESC" },
                new LiveQuery("pet") { Where = Json("""{"or":[{"species":"cat"},{"name":{"startsWith":"b"}}]}"""), Sort = "age ASC", Limit = 8 },
                new LiveQuery("owner") { Sort = "name ASC", RefetchOn = ["pet"] }, // its records hold populated pets
            };
            var collections = new List<LiveCollection<JsonElement>>();
            var models = new List<ChangeModel>();
            using var stop = new CancellationTokenSource();
            foreach (var query in queries)
            {
                var collection = await LiveCollection.StartAsync(live, query, LiveJson.Default.JsonElement, liveOptions, Bound.Seconds(20));
                collections.Add(collection);
                models.Add(new ChangeModel(collection, stop.Token));
            }

            // Writers: random creates, updates, destroys, adds and removes, from other sockets; failures (a restart
            // under a request, sails-disk refusing concurrent writes to one record) are counted, not fatal.
            var attempted = 0;
            var failed = 0;
            var restarts = 0;
            var restartGate = new SemaphoreSlim(1, 1);
            var started = DateTime.UtcNow;
            async Task WriteAsync(SailsSocket socket, int seed)
            {
                var rnd = new Random(seed);
                while (true)
                {
                    var n = Interlocked.Increment(ref attempted);
                    if (n > Operations)
                    {
                        return;
                    }

                    if (Array.IndexOf(s_restartAt, n) >= 0)
                    {
                        await restartGate.WaitAsync();
                        try
                        {
                            await server.DisposeAsync();
                            server = await SailsServer.StartAsync(environment);
                            Interlocked.Increment(ref restarts);
                        }
                        finally
                        {
                            restartGate.Release();
                        }
                    }

                    try
                    {
                        await OneOperationAsync(socket, rnd, pets, owners, tags);
                    }
                    catch (Exception ex) when (ex is SailsRequestException or SailsConnectionException or SailsTimeoutException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }

            await Task.WhenAll(writers.Select((w, i) => Task.Run(() => WriteAsync(w, 100 + i)))).Within(120);
            var writing = DateTime.UtcNow - started;

            // Quiet: every collection idle and no message for a while; then each must equal a fresh find.
            await using var reader = await client.ConnectAsync(Bound.Seconds(15));
            var lastMessages = -1L;
            var quietSince = DateTime.UtcNow;
            await Bound.Until(() =>
            {
                var messages = collections.Sum(c => c.MessageCount);
                if (messages != lastMessages || collections.Any(c => c.IsRefetching))
                {
                    lastMessages = messages;
                    quietSince = DateTime.UtcNow;
                }

                return DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(1);
            }, 30);

            for (var i = 0; i < collections.Count; i++)
            {
                var difference = await DifferenceAsync(collections[i], reader);
                output.WriteLine($"collection {i} ({queries[i].Model} {queries[i].Where?.GetRawText()} sort {queries[i].Sort} limit {queries[i].Limit}): " +
                    $"{collections[i].Snapshot.Count} records, {collections[i].MessageCount} messages, {collections[i].FetchCount} finds, " +
                    $"{models[i].Changes} changes streamed ({models[i].Resets} resets), diff = {(difference is null ? 0 : 1)}");
                Assert.Null(difference);
            }

            await stop.CancelAsync();
            foreach (var collection in collections)
            {
                await collection.DisposeAsync();
            }

            for (var i = 0; i < models.Count; i++)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => models[i].Completion).Within(10);
                models[i].AssertMatches(collections[i].Snapshot);
            }

            output.WriteLine($"{Operations} operations ({failed} refused or interrupted), {restarts} restarts, writing took {writing.TotalSeconds:F1} s");
            Assert.Equal(2, restarts);
            Assert.True(failed < Operations / 4, $"{failed} of {Operations} operations failed");

            foreach (var writer in writers)
            {
                await writer.DisposeAsync();
            }
        }
        finally
        {
            await server.DisposeAsync();
            dataDir.Delete(recursive: true);
        }
    }

    private static async Task OneOperationAsync(SailsSocket socket, Random rnd, ConcurrentDictionary<int, byte> pets, List<int> owners, List<int> tags)
    {
        var known = pets.Keys.ToArray();
        var pet = known.Length == 0 ? 0 : known[rnd.Next(known.Length)];
        var roll = rnd.Next(100);
        if (roll < 30 || pet == 0)
        {
            pets[Id(await SendAsync(socket, "post", "/pet", PetBody(rnd, owners)))] = 0;
        }
        else if (roll < 60)
        {
            var body = rnd.Next(4) switch
            {
                0 => $$"""{"name":"{{Name(rnd)}}"}""",
                1 => $$"""{"age":{{rnd.Next(20)}}}""",
                2 => $$"""{"species":"{{(rnd.Next(2) == 0 ? "cat" : "dog")}}"}""",
                _ => $$"""{"owner":{{owners[rnd.Next(owners.Count)]}}}""",
            };
            await SendAsync(socket, "patch", $"/pet/{pet}", body);
        }
        else if (roll < 75)
        {
            pets.TryRemove(pet, out _);
            await SendAsync(socket, "delete", $"/pet/{pet}");
        }
        else if (roll < 90)
        {
            await SendAsync(socket, "put", $"/pet/{pet}/tags/{tags[rnd.Next(tags.Count)]}");
        }
        else
        {
            await SendAsync(socket, "delete", $"/pet/{pet}/tags/{tags[rnd.Next(tags.Count)]}");
        }
    }

    private static string PetBody(Random rnd, List<int> owners) =>
        $$"""{"name":"{{Name(rnd)}}","species":"{{(rnd.Next(2) == 0 ? "cat" : "dog")}}","age":{{rnd.Next(20)}},"owner":{{owners[rnd.Next(owners.Count)]}}}""";

    private static string Name(Random rnd) => ((char)('a' + rnd.Next(6))).ToString() + rnd.Next(1000);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
