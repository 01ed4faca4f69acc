using SailSocket.Engine;
using SailSocket.TestServers;
using Xunit.Abstractions;

namespace SailSocket.IntegrationTests.Cluster;

/// <summary>
/// Long-polling behind a sticky balancer (<see cref="StickyBalancer"/>, cookie <c>lb</c>) in front of the three nodes:
/// the balancer's cookie goes with every poll and POST of the connection (without it the polls would go round the nodes
/// and fail), and after the pinned node dies the stale cookie is replaced at the next handshake, not sent again.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class StickyBalancerTests(ClusterFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly SailsCluster _cluster = fixture.Cluster;

    public Task InitializeAsync() => fixture.HealAsync();

    public Task DisposeAsync() => fixture.HealAsync();

    [Fact]
    public async Task Polling_stays_on_its_node_through_the_balancer_cookie_and_moves_with_a_fresh_one_when_the_node_dies()
    {
        await using var balancer = StickyBalancer.Start(_cluster.Urls);
        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = balancer.Url,
            Transports = EngineTransports.Polling,
            Reconnection = FailoverFleet.Reconnection,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(10),
        });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));

        // Twenty requests, each a POST of the polling transport, answered on polls: one node answers them all.
        var first = await NodesAsync(socket, 20);
        var pinned = Assert.Single(first.Distinct());
        Assert.Equal(1, balancer.Unpinned);
        Assert.True(balancer.Pinned >= 20, $"only {balancer.Pinned} requests carried the cookie");

        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Reconnected += (_, _) => reconnected.TrySetResult();
        _cluster.Kill(pinned[0] - 'a');
        await reconnected.Task.Within(20);

        var moved = await NodesAsync(socket, 20);
        var now = Assert.Single(moved.Distinct());
        Assert.NotEqual(pinned, now);

        // The dead node's cookie reached the balancer only around the failover (the failing poll, the new handshake):
        // the twenty requests since then carried the new one.
        var staleAfterMove = balancer.Stale + balancer.Rerouted;
        await NodesAsync(socket, 20);
        Assert.Equal(staleAfterMove, balancer.Stale + balancer.Rerouted);
        Assert.InRange(staleAfterMove, 1, 4);
        output.WriteLine($"pinned to {pinned}, then {now}; unpinned {balancer.Unpinned}, pinned {balancer.Pinned}, stale {balancer.Stale}, rerouted {balancer.Rerouted}");
    }

    private static async Task<string[]> NodesAsync(SailsSocket socket, int count)
    {
        var nodes = new string[count];
        for (var i = 0; i < count; i++)
        {
            nodes[i] = (await socket.GetFromJsonAsync("/node", ClusterJson.Default.NodeReply, Bound.Seconds(10)))!.Node!;
        }

        return nodes;
    }
}
