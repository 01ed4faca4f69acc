using System.Collections.Concurrent;

namespace SailSocket.TestServers;

/// <summary>A <see cref="SailsLogSink"/> that keeps every entry (copied: an entry is valid only during the call).</summary>
public sealed class RecordingLogSink(SailsLogLevel minimum = SailsLogLevel.Trace) : SailsLogSink
{
    private readonly ConcurrentQueue<LoggedEntry> _entries = new();

    public IReadOnlyList<LoggedEntry> Entries => [.. _entries];

    public override bool IsEnabled(SailsLogLevel level) => level >= minimum;

    public override void Log(in SailsLogEntry entry) =>
        _entries.Enqueue(new LoggedEntry(entry.Level, entry.EventId, entry.EventName, entry.Message, entry.Url, entry.ErrorType, entry.Exception));

    /// <summary>Waits until an entry named <paramref name="eventName"/> has arrived (or fails after <paramref name="timeout"/>).</summary>
    public async Task<LoggedEntry> WaitForAsync(string eventName, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_entries.FirstOrDefault(e => e.EventName == eventName) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No {eventName} log entry within {timeout}; got: {string.Join(" | ", _entries)}");
            }

            await Task.Delay(10);
        }
    }
}

/// <summary>A copy of one <see cref="SailsLogEntry"/>.</summary>
public sealed record LoggedEntry(SailsLogLevel Level, int EventId, string EventName, string Message, string Url, string? ErrorType, Exception? Exception)
{
    public override string ToString() => $"{Level} {EventId} {EventName}: {Message} ({Url}, {ErrorType})";
}
