namespace SailSocket.Engine;

/// <summary>Something a <see cref="SharedTimer"/> checks on every tick: a heartbeat watchdog, a table of request deadlines.</summary>
/// <remarks>
/// <see cref="OnTick"/> runs on a thread-pool thread, concurrently with everything else the target does. It must be quick
/// and must not block; exceptions it throws are swallowed so that one target cannot stop the timer for the others.
/// </remarks>
public interface ITimerTarget
{
    /// <summary>Called on every tick.</summary>
    /// <param name="timestamp">The current <see cref="System.TimeProvider.GetTimestamp"/> of the timer's time provider.</param>
    void OnTick(long timestamp);
}
