namespace SailSocket;

/// <summary>
/// Receives the log events of every socket of a client (<see cref="SailsClientOptions.LogSink"/>): connected, a refused
/// or failed attempt with its reason, disconnected with its reason, reconnecting, gave up, a handler that threw, a dropped
/// event, a protocol error. A seam for <c>ILogger</c> (docs/diagnostics.md has an adapter) that needs no dependency and
/// works under Native AOT and trimming.
/// </summary>
/// <remarks>
/// Called on the socket's threads (the receive loop, the connect loop, the handler dispatcher), possibly concurrently:
/// implementations must be thread-safe and quick. An exception thrown by <see cref="IsEnabled"/> or <see cref="Log"/> is
/// caught and ignored: logging never breaks a socket.
/// </remarks>
public abstract class SailsLogSink
{
    /// <summary>Creates a sink.</summary>
    protected SailsLogSink()
    {
    }

    /// <summary>Whether events of <paramref name="level"/> are wanted; nothing is rendered for a level that is not.</summary>
    /// <param name="level">The level.</param>
    /// <returns><see langword="true"/> to receive the events of that level.</returns>
    public abstract bool IsEnabled(SailsLogLevel level);

    /// <summary>Receives one event.</summary>
    /// <param name="entry">The event; valid only during the call.</param>
    public abstract void Log(in SailsLogEntry entry);
}
