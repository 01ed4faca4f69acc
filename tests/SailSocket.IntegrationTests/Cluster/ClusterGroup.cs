using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cluster;

/// <summary>
/// The cluster tests share one real cluster (Redis and three Sails nodes, <see cref="SailsCluster"/>) and run one at a
/// time: each kills, freezes or restarts parts of it and heals it at the end (<see cref="ClusterFixture.HealAsync"/>).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterGroup : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
