using System.Collections.Concurrent;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cluster;

/// <summary>Rooms and broadcasts span the nodes: the Socket.IO Redis adapter carries them through the real Redis.</summary>
[Collection(ClusterGroup.Name)]
public sealed class CrossNodeBroadcastTests(ClusterFixture fixture) : IAsyncLifetime
{
    private readonly SailsCluster _cluster = fixture.Cluster;

    public Task InitializeAsync() => fixture.HealAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_broadcast_through_node_a_reaches_room_members_on_nodes_b_and_c_and_not_others()
    {
        await using var client = new SailsClient(new SailsClientOptions { RequestTimeout = TimeSpan.FromSeconds(10), ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var onA = await client.ConnectAsync(_cluster.Urls[0], Bound.Seconds(15));
        await using var onB = await client.ConnectAsync(_cluster.Urls[1], Bound.Seconds(15));
        await using var onC = await client.ConnectAsync(_cluster.Urls[2], Bound.Seconds(15));
        await using var outsider = await client.ConnectAsync(_cluster.Urls[1], Bound.Seconds(15));

        // Each socket is on the node it was given: the nodes are distinct processes.
        var nodes = await Task.WhenAll(new[] { onA, onB, onC }.Select(s => s.GetFromJsonAsync("/node", ClusterJson.Default.NodeReply, Bound.Seconds(10)).AsTask()));
        Assert.Equal(["a", "b", "c"], nodes.Select(n => n!.Node));
        Assert.Equal(3, nodes.Select(n => n!.Pid).Distinct().Count());

        var room = "room-" + Guid.NewGuid().ToString("N");
        var received = new ConcurrentQueue<string>();
        var bothGotIt = new CountdownEvent(2);
        onB.On("chat", e => { received.Enqueue("b:" + e.ReadDataAsElement().GetProperty("text").GetString()); bothGotIt.Signal(); });
        onC.On("chat", e => { received.Enqueue("c:" + e.ReadDataAsElement().GetProperty("text").GetString()); bothGotIt.Signal(); });
        var outsiderGotIt = 0;
        outsider.On("chat", _ => Interlocked.Increment(ref outsiderGotIt));
        onA.On("chat", _ => Interlocked.Increment(ref outsiderGotIt));

        await onB.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, Bound.Seconds(10));
        await onC.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, Bound.Seconds(10));

        var data = System.Text.Json.JsonDocument.Parse("""{"text":"from a"}""").RootElement;
        var sent = await onA.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat", data), TestJson.Default.RoomData, Bound.Seconds(10));
        Assert.Equal(200, sent.StatusCode);

        Assert.True(await Task.Run(() => bothGotIt.Wait(TimeSpan.FromSeconds(10))), "the broadcast did not reach both room members: " + string.Join(", ", received));
        Assert.Equal(["b:from a", "c:from a"], received.Order());

        // A second broadcast, then a round trip on every socket: had the first one reached a non-member, it would be
        // in by now (events and responses of one socket arrive in order).
        await onA.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat", data), TestJson.Default.RoomData, Bound.Seconds(10));
        await Bound.Until(() => received.Count == 4, 10);
        await Task.WhenAll(new[] { onA, outsider }.Select(s => s.GetAsync("/echo", Bound.Seconds(10)).AsTask()));
        Assert.Equal(0, Volatile.Read(ref outsiderGotIt));
    }
}
