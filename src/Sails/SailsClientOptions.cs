using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;

namespace SailSocket;

/// <summary>
/// The defaults of a <see cref="SailsClient"/> (the counterpart of <c>io.sails</c>) and of every socket it connects, and
/// the resources those sockets share.
/// </summary>
/// <remarks>Checked by <see cref="Validate"/> when the client is created; the client keeps this instance and never changes it.</remarks>
public sealed class SailsClientOptions
{
    /// <summary>The Sails server, e.g. <c>http://localhost:1337</c> (http, https, ws or wss). Default <see langword="null"/>: give it to <c>ConnectAsync</c>.</summary>
    public Uri? Url { get; init; }

    /// <summary>
    /// The nodes of a Sails cluster (or the addresses of its balancers), for failover: a socket connects to its own URL
    /// (<see cref="Url"/>, or the one given to <c>ConnectAsync</c>; without either, the first of these), and when an attempt
    /// fails or its connection is lost, each reconnection attempt goes to the next node by the failover policy: a node
    /// that just failed is tried last, and the sockets of a lost node spread over the others (docs/cluster.md). Failover
    /// needs <see cref="Reconnection"/> enabled: without it, a socket makes one attempt and never reconnects. Default
    /// <see langword="null"/>: only the socket's own URL. Each must be an absolute http, https, ws or wss URL without user
    /// info; an empty list is refused.
    /// </summary>
    public IReadOnlyList<Uri>? Urls { get; init; }

    /// <summary>
    /// How long a node that failed (an attempt to it failed, or a connection to it was lost) is tried only after the
    /// others, by every socket of this client (<see cref="Urls"/>). A successful connect to it ends that at once. Default
    /// 30 seconds.
    /// </summary>
    public TimeSpan FailedNodeRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The Socket.IO endpoint path, <c>sails.config.sockets.path</c> on the server. Default <c>/socket.io/</c>.</summary>
    public string Path { get; init; } = "/socket.io/";

    /// <summary>Extra handshake query parameters (visible to the app as <c>socket.handshake.query</c>), sent before the SDK metadata. Default: none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>
    /// Real HTTP headers on the handshake (sails.io.js <c>initialConnectionHeaders</c>): <c>Origin</c> for
    /// <c>onlyAllowOrigins</c>, <c>Cookie</c> for a session, <c>nosession</c>. Default: none.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> InitialConnectionHeaders { get; init; } = [];

    /// <summary>Headers added to every request unless the request sets the same name (sails.io.js <c>headers</c>). Default: none.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The bound on connecting a socket: WebSocket handshake, Engine.IO open and Socket.IO connect. Default 20 seconds (socket.io's <c>timeout</c>).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a request waits for its response. Default 30 seconds; <see cref="Timeout.InfiniteTimeSpan"/> waits until the
    /// connection ends (what sails.io.js does; Sails itself never times out a request).
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Which transports to use (sails.io.js <c>transports</c>): WebSocket only (the default, as in sails.io.js and the
    /// Sails server), long-polling only, or polling then an upgrade to WebSocket. Polling needs the server to enable it
    /// (<c>sails.config.sockets.transports</c>).
    /// </summary>
    public EngineTransports Transports { get; init; } = EngineTransports.WebSocket;

    /// <summary>
    /// What opens and carries the WebSocket transport (<see cref="EngineOptions.WebSocketEngine"/>). Default
    /// <see cref="EngineWebSocketEngine.Managed"/>: SailSocket's own upgrade and framing, the requests queued on one socket
    /// in one network write, no HTTP buffers on an idle socket. When <see cref="Proxy"/> is set, or the system proxy
    /// applies to the URL, the sockets use <see cref="EngineWebSocketEngine.ClientWebSocket"/> anyway (the managed engine
    /// does not tunnel). Choose <see cref="EngineWebSocketEngine.ClientWebSocket"/> to keep the BCL's WebSocket.
    /// </summary>
    public EngineWebSocketEngine WebSocketEngine { get; init; } = EngineWebSocketEngine.Managed;

    /// <summary>
    /// Whether each socket's managed WebSocket gets a thread of its own that waits for its data and runs the answers'
    /// continuations (<see cref="EngineOptions.ReceiveThread"/>): the lowest CPU per request for a few busy sockets; a
    /// thread per socket, so never for fleets. Default <see langword="false"/>.
    /// </summary>
    public bool ReceiveThread { get; init; }

    /// <summary>
    /// Which Engine.IO revision to speak: 4 (socket.io 3/4 servers, sails-hook-sockets 3.x; the default), 3 (socket.io 2,
    /// sails-hook-sockets 2.x), or automatic (4, falling back to 3, remembered per server).
    /// </summary>
    public EngineRevisionSelection Revision { get; init; } = EngineRevisionSelection.V4;

    /// <summary>
    /// The bound on each long-polling GET and POST. Default <see langword="null"/>: the server's pingInterval + pingTimeout
    /// + 5 seconds, since the server holds a GET open for up to pingInterval.
    /// </summary>
    public TimeSpan? PollingRequestTimeout { get; init; }

    /// <summary>The bound on a polling → WebSocket upgrade; when it passes the socket stays on polling. Default 10 seconds (the server's own).</summary>
    public TimeSpan UpgradeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether <see cref="SailsClient.CreateSocket"/> starts connecting at once, in the background (sails.io.js
    /// <c>autoConnect</c>). Requests made meanwhile are queued and sent once connected. Default <see langword="true"/>.
    /// </summary>
    public bool AutoConnect { get; init; } = true;

    /// <summary>Automatic reconnection. Default: off, as in sails.io.js.</summary>
    public SailsReconnectionOptions Reconnection { get; init; } = new();

    /// <summary>
    /// The most requests a socket holds while it is not connected (connecting or reconnecting); one more fails at once
    /// with <see cref="SailsLimitExceededException"/>. Default 1024.
    /// </summary>
    public int MaxQueuedRequests { get; init; } = 1024;

    /// <summary>
    /// The most requests a socket may have sent and still be waiting for the responses of; one more is refused before
    /// anything is sent with <see cref="SailsLimitExceededException"/>, and the socket stays connected. Each entry also
    /// lives no longer than its request's timeout. Default 10,000.
    /// </summary>
    public int MaxPendingRequests { get; init; } = 10_000;

    /// <summary>
    /// Sends the <c>nosession</c> handshake header: the server loads no session for this socket's requests
    /// (sails.io.js <c>initialConnectionHeaders: {nosession: true}</c>). Default <see langword="false"/>.
    /// </summary>
    public bool NoSession { get; init; }

    /// <summary>
    /// Fetches the session cookie over HTTP (<c>GET</c> <see cref="GetCookieRoute"/>, through the shared handler) before each
    /// connection attempt and sends it with the handshake (sails.io.js <c>useCORSRouteToGetCookie</c>, which only a
    /// browser does automatically). Default <see langword="false"/>. Only the answer's headers are read (its body never is),
    /// a redirect is not followed, and a route that does not answer within <see cref="ConnectTimeout"/> fails the attempt
    /// with <see cref="SailsTimeoutException"/>, retried as any failed attempt is.
    /// </summary>
    public bool UseCorsRouteToGetCookie { get; init; }

    /// <summary>The route that sets the session cookie. Default <c>/__getcookie</c> (Sails' <c>grant3rdPartyCookie</c> route).</summary>
    public string GetCookieRoute { get; init; } = "/__getcookie";

    /// <summary>
    /// Called before every connection attempt to change its headers, query or auth (for example a token that expires).
    /// Default <see langword="null"/>.
    /// </summary>
    public Func<SailsHandshake, CancellationToken, ValueTask>? ConfigureHandshake { get; init; }

    /// <summary>
    /// The most server events one socket holds for its handlers while they are busy. Events that arrive beyond it are
    /// dropped (and counted in <see cref="SailsSocket.DroppedEventCount"/>) so that a flood from the server cannot grow the
    /// client's memory without bound; lifecycle events are never dropped. Default 10,000.
    /// </summary>
    public int MaxPendingEvents { get; init; } = 10_000;

    /// <summary>
    /// The most event payload bytes (data and binary attachments) one socket holds for its handlers while they are busy,
    /// and, separately, that each <see cref="SailsSocket.ReadEventsAsync"/> stream holds for its consumer. Checked before
    /// an event is copied: beyond it the handlers' queue drops the arriving event, as <see cref="MaxPendingEvents"/> does,
    /// and a stream drops its oldest events until the new one fits, as its capacity does; every drop is counted in
    /// <see cref="SailsSocket.DroppedEventCount"/>. An event larger than the bound is always dropped. Default 64 MiB: four
    /// events of the largest size <see cref="MaxMessageSize"/> lets in, while a flood of large events to a slow consumer
    /// stays well short of the 10,000 × 16 MiB the count alone would allow.
    /// </summary>
    public long MaxPendingEventBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// The most handlers one socket holds for one event name (<see cref="SailsSocket.On(string, Action{SailsEvent})"/>,
    /// <see cref="SailsSocket.Once"/>, and the <see cref="SailsSocket.ReadEventsAsync"/> streams of that name), and the most
    /// <see cref="SailsSocket.OnAny"/> handlers. One more throws <see cref="InvalidOperationException"/>. Default 1,000:
    /// far above what an application registers on purpose (Node's EventEmitter already warns at 10), yet it stops a
    /// registration leak — <c>On</c> in a loop without disposing — early, since each registration copies the handler array
    /// and every event then calls them all.
    /// </summary>
    public int MaxListenersPerEvent { get; init; } = 1_000;

    /// <summary>The largest message accepted from the server, in bytes. Default 16 MiB.</summary>
    public int MaxMessageSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// How often response deadlines and heartbeats are checked (by one timer per process and clock); they fire up to this
    /// late. A request waiting in the queue has an exact timer of its own. Default 100 ms.
    /// </summary>
    public TimeSpan TimerResolution { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Validates the server's TLS certificate for <c>https</c>/<c>wss</c> URLs, in place of the default validation (which is
    /// on, against the machine's trusted roots). Use it to trust a private CA or a pinned certificate — returning
    /// <see langword="true"/> for everything turns TLS protection off. Default <see langword="null"/>: the default validation.
    /// </summary>
    public System.Net.Security.RemoteCertificateValidationCallback? RemoteCertificateValidationCallback { get; init; }

    /// <summary>The HTTP proxy for every handshake, poll and cookie request. Default <see langword="null"/>: the system proxy settings.</summary>
    public System.Net.IWebProxy? Proxy { get; init; }

    /// <summary>The clock for deadlines and heartbeats. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The pool every socket rents its buffers from. Default <see cref="ArrayPool{T}.Shared"/>.</summary>
    public ArrayPool<byte> BufferPool { get; init; } = ArrayPool<byte>.Shared;

    /// <summary>
    /// Receives the sockets' log events, redacted (docs/diagnostics.md), for example to forward them to an <c>ILogger</c>.
    /// Default <see langword="null"/>: no log (the <c>SailSocket</c> EventSource still reports the lifecycle events).
    /// </summary>
    public SailsLogSink? LogSink { get; init; }

    /// <summary>
    /// Sees every Engine.IO packet each socket sends and receives, raw (not redacted), for tracing tools such as
    /// <c>sailsocket --trace</c>. Default <see langword="null"/>: none.
    /// </summary>
    public Engine.Diagnostics.EngineFrameObserver? FrameObserver { get; init; }

    /// <summary>
    /// Adds the W3C trace context of the request's activity (or the caller's current one) to every request's envelope
    /// headers, <c>traceparent</c> and, when set, <c>tracestate</c>, so that the Sails app can join the trace. A header of
    /// the same name set on the request wins. Baggage is never sent. Default <see langword="false"/>: the server sees no
    /// trace header.
    /// </summary>
    public bool PropagateTraceContext { get; init; }

    /// <summary>
    /// Opens the WebSocket for a handshake URL in place of the shared handler: the seam of test doubles such as the
    /// in-memory server of <c>SailSocket.Testing</c>. The handshake headers, cookies, proxy and TLS options are then the
    /// factory's business. Default <see langword="null"/>: a real <see cref="System.Net.WebSockets.ClientWebSocket"/>.
    /// </summary>
    public Func<Uri, CancellationToken, ValueTask<WebSocket>>? WebSocketFactory { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(WebSocketEngine))
        {
            throw new ArgumentOutOfRangeException(nameof(WebSocketEngine), WebSocketEngine, "Unknown WebSocket engine value.");
        }

        if (Url is not null)
        {
            SailsSocketOptions.CheckUrl(Url, nameof(Url));
        }

        CheckUrls();

        ArgumentOutOfRangeException.ThrowIfLessThan(FailedNodeRetryDelay, TimeSpan.Zero, nameof(FailedNodeRetryDelay));
        if (string.IsNullOrEmpty(Path) || Path[0] != '/')
        {
            throw new ArgumentException("The path must start with '/'.", nameof(Path));
        }

        ArgumentNullException.ThrowIfNull(Query, nameof(Query));
        ArgumentNullException.ThrowIfNull(InitialConnectionHeaders, nameof(InitialConnectionHeaders));
        ArgumentNullException.ThrowIfNull(Headers, nameof(Headers));
        Protocol.SailsRequestValidation.CheckHeaders(InitialConnectionHeaders);
        Protocol.SailsRequestValidation.CheckHeaders(Headers);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        SailsSocketOptions.CheckRequestTimeout(RequestTimeout, nameof(RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageSize, 1024, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TimerResolution, TimeSpan.Zero, nameof(TimerResolution));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(BufferPool, nameof(BufferPool));
        ArgumentNullException.ThrowIfNull(Reconnection, nameof(Reconnection));
        Reconnection.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedRequests, 0, nameof(MaxQueuedRequests));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingRequests, 1, nameof(MaxPendingRequests));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingEvents, 1, nameof(MaxPendingEvents));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingEventBytes, 1024, nameof(MaxPendingEventBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxListenersPerEvent, 1, nameof(MaxListenersPerEvent));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(UpgradeTimeout, TimeSpan.Zero, nameof(UpgradeTimeout));
        if (PollingRequestTimeout is { } pollingTimeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollingTimeout, TimeSpan.Zero, nameof(PollingRequestTimeout));
        }
        Protocol.SailsRequestValidation.CheckUrl(GetCookieRoute);
    }

    /// <summary>Checks <see cref="Urls"/>; a message names the option and the entry's index, never the URL (its query may hold a token).</summary>
    private void CheckUrls()
    {
        if (Urls is not { } urls)
        {
            return;
        }

        if (urls.Count == 0)
        {
            throw new ArgumentException("Urls is empty: give at least one node, or leave it null to use Url alone.", nameof(Urls));
        }

        for (var i = 0; i < urls.Count; i++)
        {
            var url = urls[i] ?? throw new ArgumentException($"Urls[{i}] is null.", nameof(Urls));
            SailsSocketOptions.CheckUrl(url, nameof(Urls));
            if (url.UserInfo.Length > 0)
            {
                throw new ArgumentException($"Urls[{i}] holds user info (user:password@): pass credentials in InitialConnectionHeaders or ConfigureHandshake instead.", nameof(Urls));
            }
        }
    }
}
