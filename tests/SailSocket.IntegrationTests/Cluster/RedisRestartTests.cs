using System.Diagnostics;
using SailSocket.TestServers;
using Xunit.Abstractions;

namespace SailSocket.IntegrationTests.Cluster;

/// <summary>Redis restarted under the cluster: the sockets stay connected to their nodes, and broadcasts resume.</summary>
[Collection(ClusterGroup.Name)]
public sealed class RedisRestartTests(ClusterFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SailsCluster _cluster = fixture.Cluster;

    public Task InitializeAsync() => fixture.HealAsync();

    public Task DisposeAsync() => fixture.HealAsync();

    [Fact]
    public async Task Broadcasts_resume_across_nodes_after_Redis_restarts()
    {
        await using var fleet = await FailoverFleet.StartAsync(_cluster, 12);

        // The senders load no session (the nosession handshake header): sessions live in Redis too, and while it is down a
        // request that needs its session waits for it.
        await using var senders = new SailsClient(new SailsClientOptions { NoSession = true, RequestTimeout = TimeSpan.FromSeconds(10) });
        var through = new SailsSocket[_cluster.NodeCount];
        for (var n = 0; n < through.Length; n++)
        {
            through[n] = await senders.ConnectAsync(_cluster.Urls[n], Bound.Seconds(15));
        }

        var sender = through[0];
        Assert.True(await fleet.BroadcastReachesEveryoneAsync(sender, 15), "baseline broadcast");

        // Redis down: the nodes stay up, but a broadcast through node a reaches only node a's sockets (node a's Redis
        // client keeps the publish in its offline queue).
        _cluster.Redis.Kill();
        Assert.False(await fleet.BroadcastReachesEveryoneAsync(sender, 2), "a broadcast crossed nodes with Redis down");
        Assert.All(fleet.On(0), i => Assert.Equal(2, fleet.Received[i]));
        Assert.All(fleet.On(1).Concat(fleet.On(2)), i => Assert.Equal(1, fleet.Received[i]));
        Assert.All(Enumerable.Range(0, _cluster.NodeCount), n => Assert.True(_cluster.Node(n)!.IsRunning));

        var restartAt = Stopwatch.GetTimestamp();
        await _cluster.Redis.RestartAsync(Bound.Seconds(30));

        // The nodes' Redis clients reconnect on their own (with their backoff): broadcast until one reaches everyone.
        var resumed = false;
        var tries = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!resumed && DateTime.UtcNow < deadline)
        {
            tries++;
            resumed = await fleet.BroadcastReachesEveryoneAsync(sender, 1);
        }

        Assert.True(resumed, "no broadcast reached every node within 30 s of the Redis restart:\n" + _cluster.Node(0)?.Output);
        var after = Stopwatch.GetElapsedTime(restartAt);

        // And they keep flowing, from every node; no socket had to reconnect.
        for (var n = 0; n < through.Length; n++)
        {
            Assert.True(await fleet.BroadcastReachesEveryoneAsync(through[n], 10), $"broadcast through node {n}");
        }

        // And so do requests that need their session.
        Assert.Equal(200, (await fleet.Sockets[0].GetAsync("/session", Bound.Seconds(15))).StatusCode);

        Assert.Empty(fleet.ReconnectedAt);
        Assert.All(fleet.Sockets, s => Assert.Equal(SailsSocketState.Connected, s.State));
        output.WriteLine($"Redis restart: cross-node broadcasts (none crossed while it was down) resumed {after.TotalMilliseconds:0} ms after it was started again ({tries} tries); 0 of {fleet.Sockets.Count} sockets reconnected");
    }
}
