using System;

namespace SailSocket;

/// <summary>
/// One log event of a socket, given to <see cref="SailsLogSink.Log"/>. Its text is already rendered and redacted:
/// neither <see cref="Message"/> nor <see cref="Url"/> carries a header value, a cookie, a query value or a token the
/// socket sent (the library's one redaction rule), even when the server echoed them.
/// </summary>
/// <remarks>Valid only during the call to <see cref="SailsLogSink.Log"/>: copy what you keep.</remarks>
public readonly struct SailsLogEntry
{
    internal SailsLogEntry(SailsLogLevel level, int eventId, string eventName, string message, string url, string? errorType, Exception? exception)
    {
        Level = level;
        EventId = eventId;
        EventName = eventName;
        Message = message;
        Url = url;
        ErrorType = errorType;
        Exception = exception;
    }

    /// <summary>How serious the event is.</summary>
    public SailsLogLevel Level { get; }

    /// <summary>The stable id of the event (docs/diagnostics.md), the same as the <c>SailSocket</c> EventSource's where it has one.</summary>
    public int EventId { get; }

    /// <summary>The stable name of the event, for example <c>Connected</c> or <c>ConnectFailed</c>.</summary>
    public string EventName { get; }

    /// <summary>The rendered, redacted text.</summary>
    public string Message { get; }

    /// <summary>The server: scheme, host and port, never the query.</summary>
    public string Url { get; }

    /// <summary>The full name of the exception type behind the event, or <see langword="null"/>.</summary>
    public string? ErrorType { get; }

    /// <summary>
    /// The exception a user handler threw (<c>HandlerFailed</c>); <see langword="null"/> for every other event, whose
    /// error is described by <see cref="ErrorType"/> and the redacted <see cref="Message"/> (a library exception's inner
    /// exceptions may hold server text that the redaction has not seen).
    /// </summary>
    public Exception? Exception { get; }
}
