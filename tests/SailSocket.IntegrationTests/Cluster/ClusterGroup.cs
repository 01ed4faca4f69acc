using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cluster;

/// <summary>
/// The cluster tests share one real cluster (Redis and three Sails nodes, <see cref="SailsCluster"/>) and run one at a
/// time: each kills, freezes or restarts parts of it and heals it at the end (<see cref="ClusterFixture.HealAsync"/>).
/// The collection runs after every other one, alone: its fleets hold 3,000 sockets on a 5 s heartbeat (pingInterval 2 s,
/// pingTimeout 3 s), and beside the rest of the suite on two cores the test process stalled past it (CI saw a node
/// spread off by 49 and a join cut), where alone they take about a minute.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterGroup : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
