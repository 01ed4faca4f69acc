using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace SailSocket.Diagnostics;

/// <summary>
/// The Sails layer's <see cref="System.Diagnostics.Metrics.Meter"/> and <see cref="System.Diagnostics.ActivitySource"/>,
/// both named <c>SailSocket</c> (docs/diagnostics.md lists every instrument). The Engine layer counts bytes on a meter of
/// the same name (<c>SailSocket.Engine.Diagnostics.EngineMetrics</c>): listeners select meters by name.
/// </summary>
/// <remarks>
/// Instruments with no listener report <see cref="Instrument.Enabled"/> false; every caller checks it before building
/// tags, so an unobserved process pays one field read per count. The observable instruments read the live sockets of
/// the live clients, tracked here weakly (a client that is never disposed is still collected); a socket costs nothing.
/// </remarks>
internal static class SailsTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "SailSocket";

    private static readonly string? s_version = typeof(SailsTelemetry).Assembly.GetName().Version?.ToString();

    private static readonly ConditionalWeakTable<SailsClient, object?> s_clients = new();

    /// <summary>
    /// The histogram's bucket boundaries (declared before the histogram: static fields start in order), in seconds: from 100 µs (a loopback request) to 30 s (a slow WAN request near
    /// the default timeout). Given as advice on .NET 9 and later; on .NET 8 the listener's own defaults apply.
    /// </summary>
    internal static readonly double[] DurationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>The activity source: one <see cref="ActivityKind.Client"/> activity per request.</summary>
    public static readonly ActivitySource Source = new(Name, s_version);

    /// <summary>The meter of the Sails layer.</summary>
    public static readonly Meter Meter = new(Name, s_version);

    /// <summary>Requests completed (a response, or a failure), by method, status class and error type.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "sailsocket.requests", "{request}", "Requests completed, by method, status class and error type.");

    /// <summary>Request duration in seconds, queueing included.</summary>
    public static readonly Histogram<double> RequestDuration = CreateRequestDuration();

    /// <summary>Connection attempts that ended, with <c>error.type</c> when one failed.</summary>
    public static readonly Counter<long> ConnectionAttempts = Meter.CreateCounter<long>(
        "sailsocket.connection.attempts", "{attempt}", "Connection attempts that ended; failed ones carry error.type.");

    /// <summary>Connections established (first connects and reconnects).</summary>
    public static readonly Counter<long> Connects = Meter.CreateCounter<long>(
        "sailsocket.connects", "{connection}", "Connections established, reconnections included.");

    /// <summary>Connections established by a reconnection.</summary>
    public static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        "sailsocket.reconnects", "{connection}", "Connections established by automatic or manual reconnection.");

    /// <summary>Connections ended, by reason.</summary>
    public static readonly Counter<long> Disconnects = Meter.CreateCounter<long>(
        "sailsocket.disconnects", "{connection}", "Connections ended, by sailsocket.disconnect.reason.");

    /// <summary>Server events received.</summary>
    public static readonly Counter<long> EventsReceived = Meter.CreateCounter<long>(
        "sailsocket.events.received", "{event}", "Server events received by sockets.");

    /// <summary>Server events dropped by a bound.</summary>
    public static readonly Counter<long> EventsDropped = Meter.CreateCounter<long>(
        "sailsocket.events.dropped", "{event}", "Server events dropped because the handlers or a stream were too far behind.");

    /// <summary>Sockets connected now.</summary>
    public static readonly ObservableUpDownCounter<long> ConnectedSockets = Meter.CreateObservableUpDownCounter(
        "sailsocket.sockets.connected", CountConnected, "{socket}", "Sockets connected now.");

    /// <summary>Requests sent and waiting for their response now.</summary>
    public static readonly ObservableUpDownCounter<long> ActiveRequests = Meter.CreateObservableUpDownCounter(
        "sailsocket.requests.active", CountActive, "{request}", "Requests sent and waiting for their response now.");

    /// <summary>Requests waiting for a connection now.</summary>
    public static readonly ObservableUpDownCounter<long> QueuedRequests = Meter.CreateObservableUpDownCounter(
        "sailsocket.requests.queued", CountQueued, "{request}", "Requests waiting for the socket to connect now.");

    /// <summary>Tracks a client's sockets for the observable instruments until it is disposed (or collected).</summary>
    public static void Track(SailsClient client) => s_clients.AddOrUpdate(client, null);

    /// <summary>Stops tracking a disposed client.</summary>
    public static void Untrack(SailsClient client) => s_clients.Remove(client);

    private static Histogram<double> CreateRequestDuration()
    {
        const string name = "sailsocket.request.duration";
        const string description = "Request duration from the call to the response or failure, queueing included.";
#if NET9_0_OR_GREATER
        return Meter.CreateHistogram(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
#else
        return Meter.CreateHistogram<double>(name, "s", description);
#endif
    }

    private static long CountConnected() => Sum(static socket => socket.IsConnected ? 1 : 0);

    private static long CountActive() => Sum(static socket => socket.ActiveRequestCount);

    private static long CountQueued() => Sum(static socket => socket.QueuedRequestCount);

    private static long Sum(System.Func<SailsSocket, int> read)
    {
        long total = 0;
        foreach (var (client, _) in (IEnumerable<KeyValuePair<SailsClient, object?>>)s_clients)
        {
            foreach (var socket in client.LiveSockets)
            {
                total += read(socket);
            }
        }

        return total;
    }
}
