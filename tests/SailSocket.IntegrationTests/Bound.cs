namespace SailSocket.IntegrationTests;

/// <summary>Bounds for every network wait in the tests.</summary>
internal static class Bound
{
    /// <summary>A token that cancels after <paramref name="seconds"/>: nothing in a test waits forever.</summary>
    public static CancellationToken Seconds(double seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>Waits for a task with a bound.</summary>
    public static Task<T> Within<T>(this Task<T> task, double seconds) => task.WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>Waits for a task with a bound.</summary>
    public static Task Within(this Task task, double seconds) => task.WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>Polls until <paramref name="condition"/> holds, for at most <paramref name="seconds"/>.</summary>
    public static async Task Until(Func<bool> condition, double seconds)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The condition did not hold within {seconds} s.");
            }

            await Task.Delay(20);
        }
    }
}
