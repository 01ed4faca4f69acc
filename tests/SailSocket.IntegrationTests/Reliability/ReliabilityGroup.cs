namespace SailSocket.IntegrationTests.Reliability;

/// <summary>
/// Resource and stress tests run alone, after the parallel ones: handle, thread and timer counts are process-wide, and a
/// stress run beside other tests would make both slower and noisier.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityGroup
{
    public const string Name = "Reliability";
}
