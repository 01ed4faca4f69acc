using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using SailSocket.Fleet;
using SailSocket.IntegrationTests.Cluster;
using SailSocket.TestServers;
using Xunit.Abstractions;

namespace SailSocket.IntegrationTests.Fleet;

/// <summary>
/// A fleet of 3,000 sockets over the real three-node cluster while Redis (the Socket.IO adapter and the session store) is
/// killed and started again: no socket reconnects, the requests made meanwhile each end once (completed, or failed with a
/// documented exception), nothing stays queued, and broadcasts reach every socket again, each exactly once.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class FleetRedisRestartTests(ClusterFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int SocketCount = 3_000;

    private readonly SailsCluster _cluster = fixture.Cluster;

    public Task InitializeAsync() => fixture.HealAsync();

    public Task DisposeAsync() => fixture.HealAsync();

    [Fact]
    public async Task Three_thousand_sockets_stay_connected_through_a_Redis_restart_and_hear_every_later_broadcast_once()
    {
        await using var fleet = new SailsFleet(new SailsFleetOptions
        {
            Nodes = _cluster.Urls,
            SocketCount = SocketCount,
            ConnectRate = 300,
            ConnectBurst = 100,
            ClientOptions = new SailsClientOptions
            {
                ConnectTimeout = TimeSpan.FromSeconds(30),
                RequestTimeout = TimeSpan.FromSeconds(20),
                Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromMilliseconds(500), DelayMax = TimeSpan.FromSeconds(2) },
            },
        });
        await fleet.ConnectAsync(Bound.Seconds(90));

        var room = "fleet-redis-" + Guid.NewGuid().ToString("N");
        var seen = new ConcurrentDictionary<int, int>[SocketCount];
        for (var i = 0; i < SocketCount; i++)
        {
            var mine = seen[i] = new ConcurrentDictionary<int, int>();
            fleet[i].On("fleet-r", e => mine.AddOrUpdate(e.ReadDataAsElement().GetProperty("n").GetInt32(), 1, static (_, c) => c + 1));
        }

        var join = new SailsRequest("post", "/room/join") { Data = JsonSerializer.SerializeToUtf8Bytes(new RoomData(room), TestJson.Default.RoomData) };
        var joined = await fleet.ForEachAsync(async (socket, _, ct) => await socket.SubscribeAsync(join, ct), maxConcurrency: 64, Bound.Seconds(90));
        Assert.Equal(SocketCount, joined.Completed);

        // The senders load no session, so that they are not held while the session store is down.
        await using var senders = new SailsClient(new SailsClientOptions { NoSession = true, RequestTimeout = TimeSpan.FromSeconds(10) });
        var through = new SailsSocket[_cluster.NodeCount];
        for (var n = 0; n < through.Length; n++)
        {
            through[n] = await senders.ConnectAsync(_cluster.Urls[n], Bound.Seconds(15));
        }

        await BroadcastAsync(through[0], room, 1);
        await Bound.Until(() => seen.All(static s => s.ContainsKey(1)), 30);

        var attemptsBefore = fleet.ConnectAttempts;
        _cluster.Redis.Kill();

        // Requests of the fleet's own sockets while Redis is down (their sessions live there): each ends exactly once.
        var outcomes = new ConcurrentDictionary<int, string>();
        var requests = Enumerable.Range(0, 300).Select(n => OneAsync(fleet, n * 10, outcomes)).ToArray();
        await Task.Delay(1_000);

        var restartAt = Stopwatch.GetTimestamp();
        await _cluster.Redis.RestartAsync(Bound.Seconds(30));

        // The nodes' Redis clients reconnect with their own backoff: broadcast (new numbers) until one reaches everyone.
        var n0 = 100;
        var resumed = false;
        while (!resumed && Stopwatch.GetElapsedTime(restartAt) < TimeSpan.FromSeconds(30))
        {
            n0++;
            await BroadcastAsync(through[0], room, n0);
            resumed = await ReachesEveryoneAsync(seen, n0, TimeSpan.FromSeconds(1));
        }

        Assert.True(resumed, "no broadcast reached every socket within 30 s of the Redis restart");
        var resumedAfter = Stopwatch.GetElapsedTime(restartAt);
        await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(60));

        // Later broadcasts, through every node, reach every socket exactly once.
        for (var n = 0; n < through.Length; n++)
        {
            await BroadcastAsync(through[n], room, 1_000 + n);
        }

        await Bound.Until(() => seen.All(static s => s.ContainsKey(1_000) && s.ContainsKey(1_001) && s.ContainsKey(1_002)), 30);
        await Task.Delay(500);
        Assert.All(seen, s => Assert.True(s[1_000] == 1 && s[1_001] == 1 && s[1_002] == 1, "a later broadcast arrived twice"));

        // Nobody reconnected; nothing left queued or in flight; every request ended once, with a documented outcome.
        var snapshot = fleet.GetSnapshot();
        Assert.Equal(attemptsBefore, fleet.ConnectAttempts);
        Assert.Equal(SocketCount, snapshot.Connected);
        Assert.Equal(0, snapshot.RequestsQueued);
        Assert.Equal(0, snapshot.RequestsInFlight);
        Assert.Equal(requests.Length, outcomes.Count);
        Assert.All(outcomes.Values, o => Assert.True(o is "completed" or "timed out", o));
        var byOutcome = outcomes.Values.GroupBy(static o => o).Select(static g => $"{g.Count()} {g.Key}");
        output.WriteLine(FormattableString.Invariant($"Redis restart under 3,000 sockets: broadcasts reached everyone {resumedAfter.TotalSeconds:F2} s after the restart; 0 reconnects; {requests.Length} requests made while it was down: {string.Join(", ", byOutcome)}"));
    }

    private static async Task<bool> ReachesEveryoneAsync(ConcurrentDictionary<int, int>[] seen, int n, TimeSpan within)
    {
        var started = Stopwatch.GetTimestamp();
        while (!seen.All(s => s.ContainsKey(n)))
        {
            if (Stopwatch.GetElapsedTime(started) > within)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static async Task BroadcastAsync(SailsSocket socket, string room, int n)
    {
        var data = JsonDocument.Parse("{\"n\":" + n + "}").RootElement;
        var sent = await socket.PostAsJsonAsync("/room/broadcast", new RoomData(room, "fleet-r", data), TestJson.Default.RoomData, Bound.Seconds(15));
        Assert.Equal(200, sent.StatusCode);
    }

    private static async Task OneAsync(SailsFleet fleet, int index, ConcurrentDictionary<int, string> outcomes)
    {
        string outcome;
        try
        {
            var response = await fleet.RequestAsync(index % fleet.Count, new SailsRequest("get", "/session"));
            outcome = response.StatusCode == 200 ? "completed" : $"status {response.StatusCode}";
        }
        catch (SailsTimeoutException)
        {
            outcome = "timed out";
        }
        catch (Exception ex)
        {
            outcome = ex.GetType().Name + ": " + ex.Message;
        }

        Assert.True(outcomes.TryAdd(index, outcome), $"request {index} ended twice");
    }
}
