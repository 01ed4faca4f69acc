using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cluster;

/// <summary>
/// Lifts the cluster once for the <see cref="ClusterGroup"/> tests. The heartbeat is short (pingInterval 2 s, pingTimeout
/// 3 s) so that a frozen node is detected within about 5 s; transports are the test app's default (polling and WebSocket).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int PingIntervalMs = 2000;
    public const int PingTimeoutMs = 3000;

    public SailsCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await SailsCluster.StartAsync(3, new Dictionary<string, string>
        {
            ["PING_INTERVAL"] = PingIntervalMs.ToString(),
            ["PING_TIMEOUT"] = PingTimeoutMs.ToString(),
        }, Bound.Seconds(120));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Cluster.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
    }

    /// <summary>Brings back whatever a test killed, froze or restarted, so that the next test starts from a whole cluster.</summary>
    public Task HealAsync() => Cluster.HealAsync(Bound.Seconds(90));

    public async Task DisposeAsync()
    {
        // Null when the lift failed: StartAsync has already stopped whatever it had started.
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync().AsTask().Within(30);
        }
    }
}
