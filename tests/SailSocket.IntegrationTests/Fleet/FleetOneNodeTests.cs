using System.Collections.Concurrent;
using SailSocket.Fleet;

namespace SailSocket.IntegrationTests.Fleet;

/// <summary>A fleet over one real Sails node (the shared server).</summary>
public sealed class FleetOneNodeTests
{
    [Fact]
    public async Task A_fleet_connects_at_its_rate_joins_a_room_gets_every_broadcast_and_counts_its_requests()
    {
        var server = await SharedSailsServer.GetAsync();
        const int count = 200;
        await using var fleet = new SailsFleet(new SailsFleetOptions
        {
            Nodes = [server.Url],
            SocketCount = count,
            ConnectRate = 400,
            ConnectBurst = 20,
            ClientOptions = new SailsClientOptions { ConnectTimeout = TimeSpan.FromSeconds(20), RequestTimeout = TimeSpan.FromSeconds(20) },
        });

        var started = TimeProvider.System.GetTimestamp();
        await fleet.ConnectAsync(Bound.Seconds(60));
        var took = TimeProvider.System.GetElapsedTime(started);

        // 180 sockets beyond the burst at 400/s: at least 0.45 s, whatever the machine.
        Assert.True(took >= TimeSpan.FromSeconds(0.44), $"{count} sockets connected in {took}: faster than the connect rate allows.");
        Assert.Equal(count, fleet.ConnectAttempts);
        var snapshot = fleet.GetSnapshot();
        Assert.Equal(count, snapshot.Connected);
        Assert.Equal(count, snapshot.Nodes.Single().Connected);
        Assert.Equal(count, fleet.Client.Sockets.Count);
        Assert.Equal(count, fleet.Select(static s => s.Id).Distinct().Count());

        var room = "fleet-" + Guid.NewGuid().ToString("N");
        var received = new int[count];
        for (var i = 0; i < count; i++)
        {
            var index = i;
            fleet[i].On("fleet-chat", _ => Interlocked.Increment(ref received[index]));
        }

        var joined = await fleet.ForEachAsync(
            async (socket, _, ct) => await socket.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct),
            maxConcurrency: 32,
            Bound.Seconds(60));
        Assert.Equal(count, joined.Completed);
        Assert.Equal(0, joined.Failed);

        var data = System.Text.Json.JsonDocument.Parse("""{"text":"to the fleet"}""").RootElement;
        await fleet[0].PostAsJsonAsync("/room/broadcast", new RoomData(room, "fleet-chat", data), TestJson.Default.RoomData, Bound.Seconds(10));
        await Bound.Until(() => Enumerable.Range(0, count).All(i => Volatile.Read(ref received[i]) == 1), 20);

        var answered = new ConcurrentBag<int>();
        var requested = await fleet.ForEachAsync(
            async (_, i, ct) =>
            {
                var response = await fleet.RequestAsync(i, new SailsRequest("get", $"/echo?i={i}"), ct);
                Assert.Equal(200, response.StatusCode);
                answered.Add(i);
            },
            maxConcurrency: 64,
            Bound.Seconds(60));
        Assert.Equal(count, requested.Completed);
        Assert.Equal(Enumerable.Range(0, count), answered.Order());

        snapshot = fleet.GetSnapshot();
        Assert.Equal(count, snapshot.Latency.Count);
        Assert.Equal(0, snapshot.Latency.Failed);
        Assert.Equal(0, snapshot.RequestsInFlight);
        Assert.Equal(0, snapshot.RequestsQueued);
        Assert.InRange(snapshot.Latency.GetQuantile(0.5), TimeSpan.FromTicks(1), TimeSpan.FromSeconds(20));

        await fleet.DisposeAsync().AsTask().Within(30);
        Assert.Equal(count, fleet.GetSnapshot().Disconnected);
        Assert.Empty(fleet.Client.Sockets);
    }
}
