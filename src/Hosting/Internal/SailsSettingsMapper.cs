using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;

namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>Maps validated <see cref="SailsClientSettings"/> to the core's init-only options, once per client and socket.</summary>
internal static class SailsSettingsMapper
{
    public static bool TryParseTransports(string? value, out EngineTransports transports) => TryParseName(value, out transports);

    public static bool TryParseWebSocketEngine(string? value, out EngineWebSocketEngine engine) => TryParseName(value, out engine);

    /// <summary>A defined member of <typeparamref name="T"/> by name, case-insensitive; never a number.</summary>
    private static bool TryParseName<T>(string? value, out T parsed)
        where T : struct, Enum
    {
        parsed = default;
        return !string.IsNullOrWhiteSpace(value)
            && !char.IsAsciiDigit(value.Trim()[0])
            && value.Trim()[0] != '-'
            && Enum.TryParse(value.Trim(), ignoreCase: true, out parsed)
            && Enum.IsDefined(parsed);
    }

    public static bool TryParseServerUrl(string? value, out Uri? url, out string problem)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            problem = "is required";
            return false;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var parsed))
        {
            // The value is not echoed: a URL may carry a credential or a query value.
            problem = "is not an absolute URL";
            return false;
        }

        if (parsed.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            problem = $"must use http, https, ws or wss, not '{parsed.Scheme}'";
            return false;
        }

        url = parsed;
        problem = string.Empty;
        return true;
    }

    public static SailsClientOptions ToClientOptions(SailsClientSettings settings, SailsLogSink? logSink, TimeProvider timeProvider, Func<SailsHandshake, CancellationToken, ValueTask>? configureHandshake = null)
    {
        // Validated at start (SailsClientSettingsValidator): a failed parse here leaves the core's defaults, which Validate rejects.
        var url = TryParseServerUrl(settings.Url, out var parsed, out _) ? parsed : null;
        var transports = TryParseTransports(settings.Transports, out var parsedTransports) ? parsedTransports : EngineTransports.WebSocket;
        var engine = TryParseWebSocketEngine(settings.WebSocketEngine, out var parsedEngine) ? parsedEngine : EngineWebSocketEngine.Managed;
        var reconnection = settings.Reconnection;
        return new SailsClientOptions
        {
            Url = url,
            Urls = settings.Urls.Count == 0 ? null : settings.Urls.Select(static u => TryParseServerUrl(u, out var node, out _) ? node! : null!).ToArray(),
            Path = settings.Path,
            Transports = transports,
            WebSocketEngine = engine,
            ReceiveThread = settings.ReceiveThread,
            FailedNodeRetryDelay = settings.FailedNodeRetryDelay,
            ConnectTimeout = settings.ConnectTimeout,
            RequestTimeout = settings.RequestTimeout,
            Headers = new Dictionary<string, string>(settings.Headers, StringComparer.OrdinalIgnoreCase),
            Reconnection = new SailsReconnectionOptions
            {
                Enabled = reconnection.Enabled,
                Attempts = reconnection.Attempts ?? int.MaxValue,
                Delay = reconnection.Delay,
                DelayMax = reconnection.DelayMax,
                RandomizationFactor = reconnection.RandomizationFactor,
            },
            // The host connects each socket itself, after its handlers are in place (SailsClientProvider).
            AutoConnect = false,
            LogSink = logSink,
            ConfigureHandshake = configureHandshake,
            TimeProvider = timeProvider,
        };
    }

    public static SailsSocketOptions ToSocketOptions(SailsSocketSettings settings)
    {
        var url = settings.Url is not null && TryParseServerUrl(settings.Url, out var parsed, out _) ? parsed : null;

        return new SailsSocketOptions
        {
            Url = url,
            Query = settings.Query.Count == 0 ? null : settings.Query.ToArray(),
        };
    }
}
