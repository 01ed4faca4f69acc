using Xunit;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>
/// Tests that measure real time (heartbeat and connect deadlines) run alone, after the parallel ones: xUnit resumes async
/// tests on a scheduler with one thread per core, and CPU-bound codec theories running beside them can hold a
/// continuation back long enough to break a timing bound that is otherwise generous.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeGroup
{
    public const string Name = "Real time";
}
