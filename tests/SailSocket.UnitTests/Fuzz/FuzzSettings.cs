namespace SailSocket.UnitTests.Fuzz;

/// <summary>
/// How many inputs each fuzz test feeds its decoder. The suite runs the short mode; <c>SAILSOCKET_FUZZ_ITERATIONS</c> sets
/// the count per decoder for a long run (docs/fuzzing.md), and <c>SAILSOCKET_FUZZ_SEED</c> changes the fixed seed.
/// </summary>
internal static class FuzzSettings
{
    public const string IterationsVariable = "SAILSOCKET_FUZZ_ITERATIONS";
    public const string SeedVariable = "SAILSOCKET_FUZZ_SEED";

    /// <summary>The fixed seed: the same inputs on every run, so a failure reproduces.</summary>
    public const int DefaultSeed = 20261127;

    public static bool IsLongRun => Environment.GetEnvironmentVariable(IterationsVariable) is { Length: > 0 };

    /// <summary>The inputs per decoder: <paramref name="shortRun"/> in the suite, the environment variable's value otherwise.</summary>
    public static int Iterations(int shortRun) =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), out var value) && value > 0 ? value : shortRun;

    public static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var value) ? value : DefaultSeed;
}
