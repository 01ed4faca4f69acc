using System;
using System.Buffers;
using System.Collections.Generic;
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

    /// <summary>The Engine.IO endpoint path. Default <c>/socket.io/</c>; a trailing slash is added when missing (the server needs it).</summary>
    public string Path { get; init; } = "/socket.io/";

    /// <summary>Extra query parameters sent with the handshake, before <c>EIO</c> and <c>transport</c>. Default: none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>Extra HTTP headers sent with the handshake (for example <c>Origin</c> or <c>Cookie</c>). Default: none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The bound on opening the connection, from the first byte to the open packet. Default 20 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The largest message this client accepts from the server, in bytes. Default 16 MiB.</summary>
    /// <remarks>A larger message closes the connection with <see cref="EngineConnectionError.MessageTooLarge"/> before it is buffered.</remarks>
    public int MaxMessageSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>The pool that receive and send buffers are rented from. Default <see cref="ArrayPool{T}.Shared"/>.</summary>
    public ArrayPool<byte> BufferPool { get; init; } = ArrayPool<byte>.Shared;

    /// <summary>
    /// The timer that drives the heartbeat watchdog; shared by many connections. Default: a timer owned by the connection,
    /// with a resolution of one second.
    /// </summary>
    public SharedTimer? Timer { get; init; }

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
    /// </summary>
    public TimeSpan? PollingRequestTimeout { get; init; }

    /// <summary>
    /// The bound on the polling to WebSocket upgrade (docs/protocol.md §2.7): opening the WebSocket and the <c>3probe</c>
    /// answer. Default 10 seconds, the server's own <c>upgradeTimeout</c>. When it passes the connection stays on polling.
    /// </summary>
    public TimeSpan UpgradeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Test seam: opens the WebSocket for a handshake URL instead of <see cref="ClientWebSocket"/>. Default <see langword="null"/>.
    /// </summary>
    public Func<Uri, CancellationToken, ValueTask<WebSocket>>? WebSocketFactory { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Url);
        if (!Url.IsAbsoluteUri || Url.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            throw new ArgumentException($"The URL must be an absolute http, https, ws or wss URL: '{Url}'.", nameof(Url));
        }

        if (string.IsNullOrEmpty(Path) || Path[0] != '/')
        {
            throw new ArgumentException("The path must start with '/'.", nameof(Path));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageSize, 16, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(UpgradeTimeout, TimeSpan.Zero, nameof(UpgradeTimeout));
        if (PollingRequestTimeout is { } pollingTimeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollingTimeout, TimeSpan.Zero, nameof(PollingRequestTimeout));
        }

        if (!Enum.IsDefined(Transports))
        {
            throw new ArgumentOutOfRangeException(nameof(Transports), Transports, "Unknown transports value.");
        }

        if (!Enum.IsDefined(Revision))
        {
            throw new ArgumentOutOfRangeException(nameof(Revision), Revision, "Unknown revision value.");
        }

        ArgumentNullException.ThrowIfNull(BufferPool, nameof(BufferPool));
        ArgumentNullException.ThrowIfNull(Query, nameof(Query));
        ArgumentNullException.ThrowIfNull(Headers, nameof(Headers));
        foreach (var header in Headers)
        {
            HeaderValidation.ThrowIfInvalid(header.Key, header.Value);
        }
    }
}
