namespace SailSocket.UnitTests.Infrastructure;

/// <summary>Checks on a <see cref="ValueTask"/> that must complete on the calling thread, without awaiting it.</summary>
internal static class Completion
{
    /// <summary>Whether <paramref name="task"/> completed successfully at once; consumes it either way.</summary>
    public static bool CompletedNow(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            task.GetAwaiter().GetResult();
            return true;
        }

        _ = task.AsTask();
        return false;
    }
}
