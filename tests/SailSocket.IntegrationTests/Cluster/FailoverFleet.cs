using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cluster;

/// <summary>
/// A few dozen sockets spread over the cluster's nodes (socket <c>i</c> on node <c>i mod 3</c>), all in one room through a
/// replayed subscription, each counting the broadcasts it receives; the failover tests' common ground.
/// </summary>
internal sealed class FailoverFleet : IAsyncDisposable
{
    /// <summary>Quick reconnection: the first attempt within 150–450 ms (Delay 300 ms ± 50 %), none later than DelayMax.</summary>
    public static readonly SailsReconnectionOptions Reconnection = new()
    {
        Enabled = true,
        Delay = TimeSpan.FromMilliseconds(300),
        DelayMax = TimeSpan.FromSeconds(1),
    };

    private FailoverFleet(SailsClient client, string room)
    {
        Client = client;
        Room = room;
    }

    public SailsClient Client { get; }

    public string Room { get; }

    public List<SailsSocket> Sockets { get; } = [];

    /// <summary>The node index each socket started on.</summary>
    public List<int> Home { get; } = [];

    /// <summary>The broadcasts (<c>chat</c> events) each socket received, by socket index.</summary>
    public ConcurrentDictionary<int, int> Received { get; } = new();

    /// <summary>Each socket's replayed subscriptions, by socket index.</summary>
    public ConcurrentDictionary<int, ConcurrentQueue<SailsResubscribedEventArgs>> Replays { get; } = new();

    /// <summary>When each socket got connected again, by socket index (stopwatch ticks).</summary>
    public ConcurrentDictionary<int, long> ReconnectedAt { get; } = new();

    public static async Task<FailoverFleet> StartAsync(SailsCluster cluster, int count, SailsClientOptions? options = null)
    {
        var client = new SailsClient(options ?? new SailsClientOptions
        {
            Urls = cluster.Urls,
            Reconnection = Reconnection,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(20),
        });
        var fleet = new FailoverFleet(client, "fleet-" + Guid.NewGuid().ToString("N"));
        try
        {
            for (var i = 0; i < count; i++)
            {
                var index = i;
                var socket = await client.ConnectAsync(cluster.Urls[i % cluster.NodeCount], Bound.Seconds(20));
                fleet.Sockets.Add(socket);
                fleet.Home.Add(i % cluster.NodeCount);
                fleet.Received[index] = 0;
                fleet.Replays[index] = new ConcurrentQueue<SailsResubscribedEventArgs>();
                socket.On("chat", _ => fleet.Received.AddOrUpdate(index, 1, (_, n) => n + 1));
                socket.Resubscribed += (_, e) => fleet.Replays[index].Enqueue(e);
                socket.Reconnected += (_, _) => fleet.ReconnectedAt[index] = Stopwatch.GetTimestamp();
            }

            await Task.WhenAll(fleet.Sockets.Select(s => s.SubscribeAsync(Join(fleet.Room), Bound.Seconds(15))));
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    public static SailsRequest Join(string room) =>
        new("post", "/room/join") { Data = Encoding.UTF8.GetBytes($$"""{"room":"{{room}}"}""") };

    /// <summary>The sockets that started on node <paramref name="node"/>.</summary>
    public IEnumerable<int> On(int node) => Enumerable.Range(0, Sockets.Count).Where(i => Home[i] == node);

    /// <summary>
    /// Broadcasts to the room through <paramref name="sender"/> and waits until every socket has one more broadcast than
    /// before. Returns false if some did not within <paramref name="seconds"/>.
    /// </summary>
    public async Task<bool> BroadcastReachesEveryoneAsync(SailsSocket sender, double seconds)
    {
        var before = Received.ToDictionary(p => p.Key, p => p.Value);
        var sent = await sender.PostAsJsonAsync("/room/broadcast", new RoomData(Room, "chat"), TestJson.Default.RoomData, Bound.Seconds(10));
        Assert.Equal(200, sent.StatusCode);
        try
        {
            await Bound.Until(() => before.All(p => Received[p.Key] > p.Value), seconds);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Which node answers <c>GET /node</c> on each socket.</summary>
    public async Task<string[]> NodesAsync(IEnumerable<int> sockets) =>
        (await Task.WhenAll(sockets.Select(i => Sockets[i].GetFromJsonAsync("/node", ClusterJson.Default.NodeReply, Bound.Seconds(10)).AsTask())))
        .Select(n => n!.Node!).ToArray();

    /// <summary>How many pets named <paramref name="name"/> the running nodes hold, all together (each node has its own in-memory store).</summary>
    public async Task<int> CountPetsAsync(SailsSocket[] probes, string name)
    {
        var total = 0;
        foreach (var probe in probes)
        {
            var pets = await probe.GetFromJsonAsync("/pet?name=" + Uri.EscapeDataString(name), TestJson.Default.PetArray, Bound.Seconds(10));
            total += pets!.Length;
        }

        return total;
    }

    public async ValueTask DisposeAsync() => await Client.DisposeAsync().AsTask().Within(30);
}
