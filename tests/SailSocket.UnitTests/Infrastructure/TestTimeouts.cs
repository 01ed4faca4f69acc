using System;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>Bounds for every wait in the tests: generous against a slow CI machine, short enough that a hang fails fast.</summary>
internal static class TestTimeouts
{
    /// <summary>The bound on any single await that should complete promptly.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(5);

    /// <summary>How long a test waits to be reasonably sure that something does NOT happen.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);
}
