using Xunit;

namespace SailSocket.UnitTests.Sails.Diagnostics;

/// <summary>
/// Metrics and activities are process-wide: tests that read them run alone, after the parallel ones, so that the counts
/// they check are their own sockets'.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DiagnosticsGroup
{
    public const string Name = "Diagnostics";
}
