using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cluster;

/// <summary>With sessions in Redis, a socket that fails over to another node keeps its session.</summary>
[Collection(ClusterGroup.Name)]
public sealed class SessionFailoverTests(ClusterFixture fixture) : IAsyncLifetime
{
    private readonly SailsCluster _cluster = fixture.Cluster;

    public Task InitializeAsync() => fixture.HealAsync();

    public Task DisposeAsync() => fixture.HealAsync();

    [Fact]
    public async Task A_session_value_set_on_node_a_is_there_after_the_socket_moves_to_another_node()
    {
        await using var client = new SailsClient(new SailsClientOptions
        {
            Urls = _cluster.Urls,
            Reconnection = FailoverFleet.Reconnection,
            UseCorsRouteToGetCookie = true,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(10),
        });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        Assert.Equal(_cluster.Urls[0], socket.CurrentUrl);
        var value = "v-" + Guid.NewGuid().ToString("N");
        var set = await socket.PutAsJsonAsync("/session/value", new SessionValue(value), ClusterJson.Default.SessionValue, Bound.Seconds(10));
        Assert.Equal(200, set.StatusCode);
        var onA = await socket.GetFromJsonAsync("/session/value", ClusterJson.Default.SessionValue, Bound.Seconds(10));
        Assert.Equal(new SessionValue(value, "a"), onA);

        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Reconnected += (_, _) => reconnected.TrySetResult();
        _cluster.Kill(0);
        await reconnected.Task.Within(15);

        var moved = await socket.GetFromJsonAsync("/session/value", ClusterJson.Default.SessionValue, Bound.Seconds(10));
        Assert.Equal(value, moved!.Value);
        Assert.Contains(moved.Node, new[] { "b", "c" });
        Assert.NotEqual(_cluster.Urls[0], socket.CurrentUrl);

        // A client without the session cookie on the same node sees no value: the value came with the session.
        await using var stranger = new SailsClient(new SailsClientOptions { Url = socket.CurrentUrl, UseCorsRouteToGetCookie = true });
        await using var other = await stranger.ConnectAsync(Bound.Seconds(15));
        Assert.Null((await other.GetFromJsonAsync("/session/value", ClusterJson.Default.SessionValue, Bound.Seconds(10)))!.Value);
    }
}
