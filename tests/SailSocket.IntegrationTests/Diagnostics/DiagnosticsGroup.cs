namespace SailSocket.IntegrationTests.Diagnostics;

/// <summary>
/// Metrics and activity listeners are process-wide: the tests that read them run alone, after the parallel ones, so
/// that what they count is their own sockets'.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DiagnosticsGroup
{
    public const string Name = "Diagnostics";
}
