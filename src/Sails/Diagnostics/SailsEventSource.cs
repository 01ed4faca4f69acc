using System.Diagnostics.Tracing;

namespace SailSocket.Diagnostics;

/// <summary>
/// The lifecycle events of the Sails layer as an <see cref="EventSource"/> named <c>SailSocket</c> (BCL only: listen with
/// <c>dotnet-trace</c> or an <see cref="EventListener"/>; counters are on the meter, <see cref="SailsTelemetry"/>). Event
/// ids and names are stable, and the same as the log sink's (<see cref="SocketDiagnostics.Ids"/>): renaming or reusing
/// one breaks telemetry. Nothing here carries header values, cookies or bodies; the one server text, an event name, is cut
/// to 128 characters and redacted. Raised only by <see cref="SocketDiagnostics"/>.
/// </summary>
/// <remarks>
/// Compiled out under Native AOT unless the app sets <c>EventSourceSupport</c>; <see cref="SailsClientOptions.LogSink"/> is
/// the seam that stays (docs/diagnostics.md).
/// </remarks>
[EventSource(Name = "SailSocket")]
internal sealed class SailsEventSource : EventSource
{
    public static readonly SailsEventSource Log = new();

    private SailsEventSource()
    {
    }

    [Event(1, Level = EventLevel.Informational, Message = "Connected to {0} as {1} (attempt {2})")]
    public void Connected(string url, string socketId, int attempt) => WriteEvent(1, url, socketId, attempt);

    [Event(2, Level = EventLevel.Warning, Message = "Disconnected from {0}: {1}")]
    public void Disconnected(string url, string reason) => WriteEvent(2, url, reason);

    [Event(3, Level = EventLevel.Informational, Message = "Reconnecting to {0}: attempt {1} in {2} ms")]
    public void Reconnecting(string url, int attempt, long delayMilliseconds) => WriteEvent(3, url, attempt, delayMilliseconds);

    [Event(4, Level = EventLevel.Warning, Message = "Connecting to {0} failed (attempt {1}): {2}")]
    public void ConnectFailed(string url, int attempt, string error) => WriteEvent(4, url, attempt, error);

    [Event(5, Level = EventLevel.Error, Message = "Gave up connecting to {0} after attempt {1}")]
    public void ReconnectFailed(string url, int attempt) => WriteEvent(5, url, attempt);

    [Event(6, Level = EventLevel.Warning, Message = "A handler of event {0} threw {1}")]
    public void HandlerFailed(string eventName, string exceptionType) => WriteEvent(6, eventName, exceptionType);

    [Event(7, Level = EventLevel.Warning, Message = "Dropped an event {0}: the handlers are {1} events behind")]
    public void EventDropped(string eventName, int pending) => WriteEvent(7, eventName, pending);
}
