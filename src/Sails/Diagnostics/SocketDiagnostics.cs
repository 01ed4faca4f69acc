using System;
using System.Diagnostics;
using System.Net;
using SailSocket.Connection;
using SailSocket.Errors;
using SailSocket.Internal;
using SailSocket.SocketIo;

namespace SailSocket.Diagnostics;

/// <summary>
/// What one socket reports, in one place: each lifecycle event goes to the <c>SailSocket</c> EventSource, the metrics
/// (<see cref="SailsTelemetry"/>) and the client's <see cref="SailsLogSink"/>, each only when someone listens.
/// </summary>
/// <remarks>
/// Log text is rendered only for an enabled level, then passed through the one redaction rule
/// (<see cref="SecretSet"/>) with the socket's credentials (headers, query, cookies) and those of its latest connection,
/// so a server that echoes them in a refusal reaches the log redacted. Event ids are stable and shared with the EventSource.
/// </remarks>
internal sealed class SocketDiagnostics
{
    /// <summary>The stable ids of the log events (1 to 7 are also the EventSource's).</summary>
    internal static class Ids
    {
        public const int Connected = 1;
        public const int Disconnected = 2;
        public const int Reconnecting = 3;
        public const int ConnectFailed = 4;
        public const int ReconnectFailed = 5;
        public const int HandlerFailed = 6;
        public const int EventDropped = 7;
        public const int ProtocolError = 8;
    }

    private readonly SailsLogSink? _sink;
    private readonly SocketIdentity _identity;
    private readonly CookieContainer _clientCookies;

    /// <summary>Creates the diagnostics of one socket.</summary>
    /// <param name="options">The client's options (its log sink).</param>
    /// <param name="identity">The socket's identity: its URL and credentials.</param>
    /// <param name="clientCookies">The client's cookie store, used when the socket has none of its own.</param>
    public SocketDiagnostics(SailsClientOptions options, SocketIdentity identity, CookieContainer clientCookies)
    {
        _sink = options.LogSink;
        _identity = identity;
        _clientCookies = clientCookies;
    }

    /// <summary>The server: scheme, host and port only. Made when asked (only a report needs it): an idle socket keeps no copy.</summary>
    public string Where => SafeDescription.Origin(Url);

    /// <summary>The server's URL (the node of the latest attempt), for the request activities' <c>server.*</c> tags.</summary>
    public Uri Url => Node ?? _identity.Url;

    /// <summary>The node the latest attempt went to (failover, <see cref="SailsClientOptions.Urls"/>); null before the first.</summary>
    public Uri? Node { get; set; }

    /// <summary>The latest connection, whose credentials are redacted too.</summary>
    public LiveConnection? Connection { get; set; }

    public void Reconnecting(int attempt, TimeSpan delay)
    {
        if (SailsEventSource.Log.IsEnabled())
        {
            SailsEventSource.Log.Reconnecting(Where, attempt, (long)delay.TotalMilliseconds);
        }

        if (IsEnabled(SailsLogLevel.Information))
        {
            Write(SailsLogLevel.Information, Ids.Reconnecting, nameof(Reconnecting), FormattableString.Invariant($"Reconnecting to {Where}: attempt {attempt} in {(long)delay.TotalMilliseconds} ms"));
        }
    }

    public void AttemptFailed(int attempt, Exception error)
    {
        if (SailsEventSource.Log.IsEnabled())
        {
            SailsEventSource.Log.ConnectFailed(Where, attempt, error.GetType().Name);
        }

        if (SailsTelemetry.ConnectionAttempts.Enabled)
        {
            SailsTelemetry.ConnectionAttempts.Add(1, new TagList { { "error.type", error.GetType().FullName } });
        }

        if (IsEnabled(SailsLogLevel.Warning))
        {
            Write(SailsLogLevel.Warning, Ids.ConnectFailed, "ConnectFailed", FormattableString.Invariant($"Connecting to {Where} failed (attempt {attempt}): {error.Message}"), error);
        }
    }

    public void Connected(LiveConnection connection)
    {
        Connection = connection;
        if (SailsEventSource.Log.IsEnabled())
        {
            SailsEventSource.Log.Connected(Where, connection.Id, connection.Attempt);
        }

        SailsTelemetry.ConnectionAttempts.Add(1);
        SailsTelemetry.Connects.Add(1);
        if (connection.Attempt > 0)
        {
            SailsTelemetry.Reconnects.Add(1);
        }

        if (IsEnabled(SailsLogLevel.Information))
        {
            Write(SailsLogLevel.Information, Ids.Connected, nameof(Connected), FormattableString.Invariant($"Connected to {Where} as {connection.Id} (attempt {connection.Attempt})"));
        }
    }

    public void GaveUp(int attempt, Exception error)
    {
        if (SailsEventSource.Log.IsEnabled())
        {
            SailsEventSource.Log.ReconnectFailed(Where, attempt);
        }

        if (IsEnabled(SailsLogLevel.Error))
        {
            Write(SailsLogLevel.Error, Ids.ReconnectFailed, "ReconnectFailed", FormattableString.Invariant($"Gave up connecting to {Where} after attempt {attempt}: {error.Message}"), error);
        }
    }

    public void Disconnected(SocketIoDisconnectedException reason)
    {
        var why = SailsErrors.Disconnect(reason);
        if (SailsEventSource.Log.IsEnabled())
        {
            SailsEventSource.Log.Disconnected(Where, why.ToString());
        }

        if (SailsTelemetry.Disconnects.Enabled)
        {
            SailsTelemetry.Disconnects.Add(1, new TagList { { "sailsocket.disconnect.reason", why.ToString() } });
        }

        var level = why == SailsDisconnectReason.ClientDisconnect ? SailsLogLevel.Information : SailsLogLevel.Warning;
        if (IsEnabled(level))
        {
            Write(level, Ids.Disconnected, nameof(Disconnected), $"Disconnected from {Where}: {why}");
        }

        if (why == SailsDisconnectReason.ProtocolError && IsEnabled(SailsLogLevel.Error))
        {
            Write(SailsLogLevel.Error, Ids.ProtocolError, "ProtocolError", $"The connection to {Where} broke the protocol: {reason.Message}", reason);
        }
    }

    /// <summary>Logs a response that is not a JWR; an exception filter, so it returns <see langword="false"/>.</summary>
    public bool RequestProtocolError(SailsProtocolException error)
    {
        if (IsEnabled(SailsLogLevel.Error))
        {
            Write(SailsLogLevel.Error, Ids.ProtocolError, "ProtocolError", $"A response from {Where} broke the protocol: {error.Message}", error);
        }

        return false;
    }

    public static void EventReceived()
    {
        if (SailsTelemetry.EventsReceived.Enabled)
        {
            SailsTelemetry.EventsReceived.Add(1);
        }
    }

    public void EventDropped(string eventName, int pending, long dropped)
    {
        if (SailsEventSource.Log.IsEnabled())
        {
            SailsEventSource.Log.EventDropped(ServerText(eventName), pending);
        }

        SailsTelemetry.EventsDropped.Add(1);

        // A flood drops thousands a second: the log gets the 1st, 2nd, 4th, 8th… drop, each with the total so far.
        if ((dropped & (dropped - 1)) == 0 && IsEnabled(SailsLogLevel.Warning))
        {
            Write(SailsLogLevel.Warning, Ids.EventDropped, nameof(EventDropped), FormattableString.Invariant($"Dropped an event {ServerText(eventName)} from {Where}: the handlers are {pending} events behind ({dropped} dropped so far)"));
        }
    }

    public void HandlerFailed(string eventName, Exception error)
    {
        if (SailsEventSource.Log.IsEnabled())
        {
            SailsEventSource.Log.HandlerFailed(ServerText(eventName), error.GetType().Name);
        }

        if (IsEnabled(SailsLogLevel.Error))
        {
            // The user's own exception is handed over whole: its text is the application's, not the server's.
            Write(SailsLogLevel.Error, Ids.HandlerFailed, nameof(HandlerFailed), $"A handler of event {ServerText(eventName)} from {Where} threw {error.GetType().FullName}", error, keepException: true);
        }
    }

    private bool IsEnabled(SailsLogLevel level)
    {
        if (_sink is null)
        {
            return false;
        }

        try
        {
            return _sink.IsEnabled(level);
        }
#pragma warning disable CA1031 // A failing sink never breaks a socket (SailsLogSink remarks).
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private void Write(SailsLogLevel level, int id, string name, string message, Exception? error = null, bool keepException = false)
    {
        var entry = new SailsLogEntry(level, id, name, Redact(message), Where, error?.GetType().FullName, keepException ? error : null);
        try
        {
            _sink!.Log(in entry);
        }
#pragma warning disable CA1031 // A failing sink never breaks a socket (SailsLogSink remarks).
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>The most characters of server text (an event name) a log or the EventSource gets: 128.</summary>
    internal const int MaxLoggedServerText = 128;

    /// <summary>Server text (an event name) as a log may carry it: cut to <see cref="MaxLoggedServerText"/> characters, then redacted.</summary>
    private string ServerText(string serverText)
    {
        var truncated = serverText.Length > MaxLoggedServerText;
        return Redact(truncated ? serverText[..MaxLoggedServerText] : serverText, truncated);
    }

    /// <summary>The one redaction rule, with the socket's credentials and its latest connection's.</summary>
    private string Redact(string text, bool truncated = false)
    {
        // Built per entry (entries are rare): cookies the server set since the last one are in the store by now.
        var secrets = new SecretSet()
            .AddHeaders(_identity.InitialConnectionHeaders)
            .AddHeaders(_identity.Headers)
            .AddQuery(_identity.Query)
            .AddCookies(_identity.Cookies ?? _clientCookies);
        text = secrets.Redact(text, truncated);
        return Connection is { } connection ? connection.Secrets.Redact(text, truncated) : text;
    }
}
