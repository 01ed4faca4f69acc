using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Engine;

/// <summary>How to open an Engine.IO connection.</summary>
/// <remarks>Validated by <see cref="Validate"/> when a connection is opened; the connection keeps this instance and never changes it.</remarks>
public sealed class EngineOptions
{
    /// <summary>The server: an absolute <c>http</c>, <c>https</c>, <c>ws</c> or <c>wss</c> URL. Its path and query are ignored.</summary>
    public required Uri Url { get; init; }

    /// <summary>
    /// The Engine.IO endpoint path. Default <c>/socket.io/</c>; a trailing slash is added when missing (the server needs it).
    /// Control and non-ASCII characters are refused.
    /// </summary>
    public string Path { get; init; } = "/socket.io/";

    /// <summary>Extra query parameters sent with the handshake, before <c>EIO</c> and <c>transport</c>. Default: none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>Extra HTTP headers sent with the handshake (for example <c>Origin</c> or <c>Cookie</c>). Default: none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>
    /// Headers that the layers above send by other means (inside their own messages), never sent by this layer: their
    /// values are removed from server text that reaches an exception, as those of <see cref="Headers"/> are (the
    /// redaction rule, docs/reliability.md). Default: none.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> RedactedHeaders { get; init; } = [];

    /// <summary>
    /// The cookie store of the connection. Every <c>Set-Cookie</c> the server answers with — on the polling handshake, every
    /// poll and POST, and the WebSocket handshake or upgrade — is kept in it, and every one of those requests sends the
    /// stored cookies that match its URL, so a load balancer's sticky-session cookie set on the polling handshake travels
    /// with the upgrade, and a session cookie survives reconnects. Give several connections the same container to share a
    /// session, as a browser's tabs do. Default <see langword="null"/>: nothing is stored, and only a <c>Cookie</c> in
    /// <see cref="Headers"/> is sent.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Matching is <see cref="CookieContainer"/>'s (RFC 6265): by host, path, <c>Secure</c> and expiry. A cookie is never
    /// sent to another host (<c>127.0.0.1</c> and <c>localhost</c> are different hosts), and a server cannot set one for
    /// another host. Ports do not isolate cookies (RFC 6265 §8.5): two servers on one host share them, as in a browser; give
    /// them separate containers if that matters.</item>
    /// <item>A <c>Cookie</c> in <see cref="Headers"/> wins: its pairs are sent first, in order (several <c>Cookie</c> entries are
    /// joined with <c>"; "</c>), and a stored cookie with the same name is left out; stored cookies with other names follow.</item>
    /// <item>A <c>Set-Cookie</c> holding a control or non-ASCII character is ignored, and a stored cookie whose name or value
    /// holds one (or <c>;</c>) is not sent: a header can never be split or smuggled through a cookie.</item>
    /// <item>The container bounds itself (<see cref="CookieContainer.Capacity"/>, <see cref="CookieContainer.PerDomainCapacity"/>,
    /// <see cref="CookieContainer.MaxCookieSize"/>): a server cannot make it grow without limit.</item>
    /// <item>The handler behind <see cref="HttpInvoker"/> should not handle cookies itself
    /// (<see cref="SocketsHttpHandler.UseCookies"/> <see langword="false"/>), or its own container's cookies are sent too.
    /// <see cref="WebSocketFactory"/> bypasses the store.</item>
    /// <item><see cref="CookieContainer"/> is thread-safe: any number of connections may share one.</item>
    /// </list>
    /// </remarks>
    public CookieContainer? Cookies { get; init; }

    /// <summary>The bound on opening the connection, from the first byte to the open packet. Default 20 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The largest message this client accepts from the server, in bytes. Default 16 MiB.</summary>
    /// <remarks>A larger message closes the connection with <see cref="EngineConnectionError.MessageTooLarge"/> before it is buffered.</remarks>
    public int MaxMessageSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>The pool that receive and send buffers are rented from. Default <see cref="ArrayPool{T}.Shared"/>.</summary>
    public ArrayPool<byte> BufferPool { get; init; } = ArrayPool<byte>.Shared;

    /// <summary>
    /// The clock of every bound of the connection: the heartbeat watchdog, the connect, upgrade, polling-request and close
    /// bounds. Default <see cref="System.TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How often the heartbeat deadlines are checked: a dead server is noticed up to this late. Default one second.
    /// </summary>
    /// <remarks>
    /// Every connection of the process with the same <see cref="TimeProvider"/> and resolution is checked by one shared
    /// timer, which runs only while a connection is open: 10,000 connections cost one timer, not 10,000.
    /// </remarks>
    public TimeSpan TimerResolution { get; init; } = TimeSpan.FromSeconds(1);


    /// <summary>
    /// The HTTP handler behind every request of the connection: the WebSocket handshake and every long-polling GET and POST.
    /// Share one (over a single <see cref="SocketsHttpHandler"/>) across connections so they share its connection pool,
    /// cookies, proxy and TLS settings. Default: a new <see cref="SocketsHttpHandler"/> per connection, disposed with it.
    /// </summary>
    /// <remarks>For long-polling do not enable automatic decompression unless it handles gzip and deflate (docs/protocol.md §2.4).</remarks>
    public HttpMessageInvoker? HttpInvoker { get; init; }

    /// <summary>Which transports to use. Default <see cref="EngineTransports.WebSocket"/> (what a Sails server enables by default).</summary>
    public EngineTransports Transports { get; init; } = EngineTransports.WebSocket;

    /// <summary>
    /// Which Engine.IO revision to ask for; it fixes the Socket.IO protocol on top (3 → protocol 4, 4 → protocol 5).
    /// Default <see cref="EngineRevisionSelection.V4"/>.
    /// </summary>
    public EngineRevisionSelection Revision { get; init; } = EngineRevisionSelection.V4;

    /// <summary>
    /// The bound on each long-polling GET and POST after the handshake. Default <see langword="null"/>: pingInterval +
    /// pingTimeout + 5 seconds from the handshake, since the server holds a GET for up to pingInterval (docs/protocol.md §6.1).
    /// Either is capped at <see cref="int.MaxValue"/> ms (about 24.8 days), the longest wait a timer takes: a server that
    /// announces a huge pingInterval gets that bound, not an error.
    /// </summary>
    public TimeSpan? PollingRequestTimeout { get; init; }

    /// <summary>
    /// The bound on the polling to WebSocket upgrade (docs/protocol.md §2.7): opening the WebSocket and the <c>3probe</c>
    /// answer. Default 10 seconds, the server's own <c>upgradeTimeout</c>. When it passes the connection stays on polling.
    /// </summary>
    public TimeSpan UpgradeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Sees every packet sent and received (<see cref="Diagnostics.EngineFrameObserver"/>), for tracing tools. Default
    /// <see langword="null"/>: none, and the paths cost one null check.
    /// </summary>
    public Diagnostics.EngineFrameObserver? FrameObserver { get; init; }

    /// <summary>
    /// Test seam: opens the WebSocket for a handshake URL instead of <see cref="ClientWebSocket"/>. Default <see langword="null"/>.
    /// </summary>
    public Func<Uri, CancellationToken, ValueTask<WebSocket>>? WebSocketFactory { get; init; }

    /// <summary>
    /// What opens and carries the WebSocket transport. Default <see cref="EngineWebSocketEngine.ClientWebSocket"/> at this
    /// layer, because it goes through <see cref="HttpInvoker"/> (a caller's handler, with its own settings, is honoured);
    /// the Sails client, which builds its own handler, defaults to <see cref="EngineWebSocketEngine.Managed"/>.
    /// <see cref="EngineWebSocketEngine.Managed"/> sends the messages queued for one socket in one network write and
    /// holds no HTTP buffers on an idle socket; it opens its own connections (see the value's remarks on proxies and
    /// TLS). <see cref="WebSocketFactory"/>, when set, wins over either.
    /// </summary>
    public EngineWebSocketEngine WebSocketEngine { get; init; } = EngineWebSocketEngine.ClientWebSocket;

    /// <summary>
    /// Whether a <see cref="EngineWebSocketEngine.Managed"/> WebSocket gets a thread of its own that waits for its data and
    /// runs what the data completes (the receive loop, and the continuations of the requests it answers), as Node's event
    /// loop does: no socket-engine wake-up or thread-pool work item per read, for the lowest CPU per message on a busy
    /// socket. Costs a thread per connection (its stack reserves address space and commits only what it uses), so it is
    /// for a few busy sockets, never for fleets. Code that blocks such a thread holds up its socket until the second
    /// timer tick (<see cref="TimerResolution"/>) that finds it blocked, when a new thread takes the socket over.
    /// Default <see langword="false"/>: reads complete on the thread pool. Other engines and polling ignore it.
    /// </summary>
    public bool ReceiveThread { get; init; }

    /// <summary>
    /// Validates the server's certificate on the <c>https</c>/<c>wss</c> connections the Engine opens itself, in place of
    /// the system's validation: the <see cref="EngineWebSocketEngine.Managed"/> engine's, and those of the HTTP handler it
    /// creates when <see cref="HttpInvoker"/> is <see langword="null"/> (polling, <c>ClientWebSocket</c>). Default
    /// <see langword="null"/>: the system's rules. (Connections through <see cref="HttpInvoker"/> use its handler's settings.)
    /// </summary>
    public System.Net.Security.RemoteCertificateValidationCallback? RemoteCertificateValidationCallback { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Url);
        if (!Url.IsAbsoluteUri || Url.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            // Never echo the URL: its query or user info may hold a credential.
            throw new ArgumentException(
                Url.IsAbsoluteUri
                    ? $"The URL must be an absolute http, https, ws or wss URL, not a '{Url.Scheme}' one."
                    : "The URL must be an absolute http, https, ws or wss URL, not a relative one.",
                nameof(Url));
        }

        if (string.IsNullOrEmpty(Path) || Path[0] != '/')
        {
            throw new ArgumentException("The path must start with '/'.", nameof(Path));
        }

        foreach (var c in Path)
        {
            if (c < ' ' || c >= 0x7F)
            {
                throw new ArgumentException("The path must not contain control or non-ASCII characters.", nameof(Path));
            }
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageSize, 16, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(UpgradeTimeout, TimeSpan.Zero, nameof(UpgradeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TimerResolution, TimeSpan.Zero, nameof(TimerResolution));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (PollingRequestTimeout is { } pollingTimeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollingTimeout, TimeSpan.Zero, nameof(PollingRequestTimeout));
        }

        if (!Enum.IsDefined(Transports))
        {
            throw new ArgumentOutOfRangeException(nameof(Transports), Transports, "Unknown transports value.");
        }

        if (!Enum.IsDefined(WebSocketEngine))
        {
            throw new ArgumentOutOfRangeException(nameof(WebSocketEngine), WebSocketEngine, "Unknown WebSocket engine value.");
        }

        if (!Enum.IsDefined(Revision))
        {
            throw new ArgumentOutOfRangeException(nameof(Revision), Revision, "Unknown revision value.");
        }

        ArgumentNullException.ThrowIfNull(BufferPool, nameof(BufferPool));
        ArgumentNullException.ThrowIfNull(Query, nameof(Query));
        ArgumentNullException.ThrowIfNull(Headers, nameof(Headers));
        ArgumentNullException.ThrowIfNull(RedactedHeaders, nameof(RedactedHeaders));
        foreach (var header in Headers)
        {
            HeaderValidation.ThrowIfInvalid(header.Key, header.Value);
        }
    }
}
