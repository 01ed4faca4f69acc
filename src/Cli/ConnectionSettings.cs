using System;
using System.Collections.Generic;
using SailSocket.Cli.Tracing;
using SailSocket.Engine;

namespace SailSocket.Cli;

/// <summary>The common options, read and checked: turned into the client's options by <see cref="CreateClient"/>.</summary>
internal sealed class ConnectionSettings
{
    public EngineTransports Transports { get; init; }

    public EngineRevisionSelection Revision { get; init; }

    /// <summary>--engine: what carries the WebSocket (the Sails client's default, <see cref="EngineWebSocketEngine.Managed"/>, unless asked).</summary>
    public EngineWebSocketEngine WebSocketEngine { get; init; } = EngineWebSocketEngine.Managed;

    /// <summary>--receive-thread: a thread per managed WebSocket (<see cref="SailsClientOptions.ReceiveThread"/>).</summary>
    public bool ReceiveThread { get; init; }

    /// <summary>The -H headers: sent with every request (inside the Sails envelope).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The --cookie values as one Cookie header, sent on the handshake; <see langword="null"/> when none.</summary>
    public string? CookieHeader { get; init; }

    public TimeSpan Timeout { get; init; }

    public string SocketPath { get; init; } = "/socket.io/";

    public bool Insecure { get; init; }

    public bool Trace { get; init; }

    /// <summary>Creates the client for <paramref name="target"/>; prints the --insecure warning.</summary>
    public SailsClient CreateClient(TargetUrl target, CliTerminal terminal, bool reconnect)
    {
        if (Insecure)
        {
            terminal.Error.WriteLine("sailsocket: warning: --insecure: the server's TLS certificate is not checked; anyone on the path can read and change this traffic.");
        }

        var handshakeHeaders = new List<KeyValuePair<string, string>>();
        if (CookieHeader is not null)
        {
            handshakeHeaders.Add(new("Cookie", CookieHeader));
        }

        FrameTracer? tracer = null;
        if (Trace)
        {
            var secrets = new SecretSet().AddHeaders(Headers).AddHeaders(handshakeHeaders).AddQuery(QueryOf(target.Route));
            tracer = new FrameTracer(terminal.Error, secrets);
        }

        SailsClient client;
        try
        {
            client = Create(target, handshakeHeaders, tracer, reconnect);
        }
        catch (ArgumentException ex)
        {
            // A header the library refuses (a name that is not a token, a non-ASCII value): the messages name the header,
            // never its value.
            throw new UsageException(ex.Message.ReplaceLineEndings(" "));
        }

        tracer?.WatchCookies(client.Cookies);
        return client;
    }

    private SailsClient Create(TargetUrl target, List<KeyValuePair<string, string>> handshakeHeaders, FrameTracer? tracer, bool reconnect) =>
        new(new SailsClientOptions
        {
            Url = target.Origin,
            Path = SocketPath,
            Transports = Transports,
            Revision = Revision,
            WebSocketEngine = WebSocketEngine,
            ReceiveThread = ReceiveThread,
            Headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase),
            InitialConnectionHeaders = handshakeHeaders,
            ConnectTimeout = Timeout,
            RequestTimeout = Timeout,
            Reconnection = new SailsReconnectionOptions { Enabled = reconnect },
#pragma warning disable CA5359 // --insecure: the user turned validation off explicitly, and is warned above.
            RemoteCertificateValidationCallback = Insecure ? (_, _, _, _) => true : null,
#pragma warning restore CA5359
            FrameObserver = tracer,
        });

    /// <summary>The query parameters of a route: their values are redacted from the trace like a handshake query's.</summary>
    private static List<KeyValuePair<string, string>> QueryOf(string route)
    {
        var list = new List<KeyValuePair<string, string>>();
        var question = route.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return list;
        }

        foreach (var pair in route[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                list.Add(new(Uri.UnescapeDataString(pair[..equals]), Uri.UnescapeDataString(pair[(equals + 1)..])));
            }
        }

        return list;
    }
}
