using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Fleet;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails.Fleet;

/// <summary>A fleet against scripted in-memory servers (<see cref="SailsServer"/>): no network.</summary>
public sealed class FleetScriptedTests
{
    private static readonly Uri[] s_two = [new("http://127.0.0.1:1"), new("http://127.0.0.1:2")];

    [Fact]
    public async Task Snapshot_CountsStatesRequestsAndLatency_PerNode()
    {
        await using var server = new SailsServer();
        await using var fleet = new SailsFleet(new SailsFleetOptions
        {
            Nodes = s_two,
            SocketCount = 5,
            ConnectBurst = 100,
            ClientOptions = new SailsClientOptions { WebSocketFactory = server.Factory, ConnectTimeout = TestTimeouts.Default },
        });

        var connecting = fleet.ConnectAsync();
        var peers = new List<SailsPeer>();
        for (var i = 0; i < 5; i++)
        {
            peers.Add(await server.AcceptAsync($"sid-{i}"));
        }

        await connecting.WaitAsync(TestTimeouts.Default);
        Assert.Equal(5, fleet.ConnectAttempts);
        Assert.Equal(3, peers.Count(p => p.Uri.Port == 1));
        Assert.Equal(2, peers.Count(p => p.Uri.Port == 2));
        var snapshot = fleet.GetSnapshot();
        Assert.Equal(5, snapshot.Connected);
        Assert.Equal(3, snapshot.Nodes[0].Connected);
        Assert.Equal(2, snapshot.Nodes[1].Connected);
        Assert.Equal(0, snapshot.RequestsInFlight);

        // Socket 1 is on node 2: a request in flight there, answered, then one that fails.
        var peer = peers[int.Parse(fleet[1].Id.AsSpan("sid-".Length), provider: System.Globalization.CultureInfo.InvariantCulture)];
        Assert.Equal(2, peer.Uri.Port);
        var pending = fleet.RequestAsync(1, new SailsRequest("get", "/slow")).AsTask();
        var request = await peer.ReceiveRequestAsync().WaitAsync(TestTimeouts.Default);
        snapshot = fleet.GetSnapshot();
        Assert.Equal(0, snapshot.Nodes[0].RequestsInFlight);
        Assert.Equal(1, snapshot.Nodes[1].RequestsInFlight);
        await peer.RespondAsync(request, 200, "{\"ok\":true}");
        Assert.Equal(200, (await pending.WaitAsync(TestTimeouts.Default)).StatusCode);

        using var cancelled = new CancellationTokenSource();
        var failing = fleet.RequestAsync(1, new SailsRequest("get", "/never"), cancelled.Token).AsTask();
        await peer.ReceiveRequestAsync().WaitAsync(TestTimeouts.Default);
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => failing.WaitAsync(TestTimeouts.Default));

        snapshot = fleet.GetSnapshot();
        Assert.Equal(0, snapshot.Nodes[0].Latency.Count);
        Assert.Equal(1, snapshot.Nodes[1].Latency.Count);
        Assert.Equal(1, snapshot.Nodes[1].Latency.Failed);
        Assert.Equal(1, snapshot.Latency.Count);
        Assert.Contains("connected 5", snapshot.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnects_OfANodeThatDropsEverySocket_PassTheConnectRate()
    {
        // Burst 4, one attempt per second after it, no jitter, no backoff: the four first connects use the burst, so the
        // four reconnects after the drop get the slots 1, 2, 3 and 4 s later, on the fleet's clock.
        await using var server = new SailsServer();
        var clock = new ObservedClock();
        await using var fleet = new SailsFleet(new SailsFleetOptions
        {
            Nodes = [s_two[0]],
            SocketCount = 4,
            ConnectRate = 1,
            ConnectBurst = 4,
            ConnectJitter = 0,
            ClientOptions = new SailsClientOptions
            {
                WebSocketFactory = server.Factory,
                TimeProvider = clock,
                TimerResolution = TimeSpan.FromSeconds(1),
                ConnectTimeout = TimeSpan.FromMinutes(10),
                RequestTimeout = TimeSpan.FromMinutes(10),
                Reconnection = SailsHarness.Reconnect(TimeSpan.Zero),
            },
        });

        var connecting = fleet.ConnectAsync();
        var peers = new List<SailsPeer>();
        for (var i = 0; i < 4; i++)
        {
            peers.Add(await server.AcceptAsync($"sid-{i}"));
        }

        await connecting.WaitAsync(TestTimeouts.Default);
        foreach (var peer in peers)
        {
            await peer.DropAsync();
        }

        foreach (var due in new[] { 1, 2, 3, 4 })
        {
            await clock.WaitForTimerAsync(TimeSpan.FromSeconds(due));
        }

        Assert.Equal(4, server.Attempts);
        Assert.Equal(4, fleet.GetSnapshot().Reconnecting);
        for (var second = 1; second <= 4; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await server.WaitForAttemptAsync(4 + second);
            await server.AcceptAsync($"sid-again-{second}");
            await Task.Delay(TestTimeouts.Quiet);
            Assert.Equal(4 + second, server.Attempts);
        }

        Assert.Equal(8, fleet.ConnectAttempts);
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (fleet.GetSnapshot().Connected < 4 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(4, fleet.GetSnapshot().Connected);
    }

    [Fact]
    public async Task ForEach_BoundsConcurrency_AndCountsFailures()
    {
        await using var fleet = new SailsFleet(new SailsFleetOptions { Nodes = s_two, SocketCount = 40 });
        var running = 0;
        var most = 0;
        var seen = new int[40];
        var result = await fleet.ForEachAsync(
            async (socket, i, ct) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                Assert.Same(fleet[i], socket);
                Interlocked.Increment(ref seen[i]);
                await Task.Delay(5, ct);
                Interlocked.Decrement(ref running);
                if (i % 10 == 0)
                {
                    throw new InvalidOperationException($"socket {i}");
                }
            },
            maxConcurrency: 3).WaitAsync(TestTimeouts.Default);

        Assert.All(seen, count => Assert.Equal(1, count));
        Assert.InRange(most, 1, 3);
        Assert.Equal(36, result.Completed);
        Assert.Equal(4, result.Failed);
        Assert.Equal(4, result.Errors.Count);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fleet.ForEachAsync((_, _, _) => ValueTask.CompletedTask, 0));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
