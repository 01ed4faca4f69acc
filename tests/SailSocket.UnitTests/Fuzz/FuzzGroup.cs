using Xunit;

namespace SailSocket.UnitTests.Fuzz;

/// <summary>
/// The fuzz tests run alone, after the parallel ones: they compare the process's heap before and after (a
/// process-wide figure), which other tests allocating beside them would move; one full suite run saw a fuzz test fail
/// that passed in every run on its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzGroup
{
    public const string Name = "Fuzz";
}
