using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Connection;
using SailSocket.Diagnostics;
using SailSocket.Engine;
using SailSocket.Internal;

namespace SailSocket;

/// <summary>
/// The counterpart of sails.io.js's <c>io.sails</c>: default options, and what many sockets share — one HTTP handler
/// for every WebSocket handshake, one cookie store, one buffer pool and one timer for every deadline and heartbeat.
/// <see cref="ConnectAsync(CancellationToken)"/> is <c>io.sails.connect()</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Create one per process (or per server) and keep it; sockets are cheap, clients are not.</item>
/// <item>All members are thread-safe; any number of sockets may connect concurrently.</item>
/// <item><see cref="DisposeAsync"/> disconnects every socket the client made, then releases the shared resources.</item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// await using var sails = new SailsClient(new SailsClientOptions { Url = new Uri("http://localhost:1337") });
/// await using var socket = await sails.ConnectAsync(cancellationToken);
/// var response = await socket.GetAsync("/user", cancellationToken);
/// </code>
/// </example>
public sealed class SailsClient : IAsyncDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageInvoker _invoker;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<SailsSocket, byte> _sockets = new();
    private int _disposed;
    private SocketIdentity? _defaultIdentity;

    /// <summary>The spread number of the next socket (<see cref="Connection.FailoverOrder"/>): sockets take them in turn.</summary>
    private int _nextSpread = -1;

    /// <summary>Creates a client.</summary>
    /// <param name="options">Defaults and shared settings; <see langword="null"/> for all defaults.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SailsClient(SailsClientOptions? options = null)
    {
        Options = options ?? new SailsClientOptions();
        Options.Validate();
        _handler = new SocketsHttpHandler
        {
            // Cookies are applied per request from each socket's own store (EngineOptions.Cookies): a container on this
            // shared handler would mix the cookies of sockets that must not share them.
            UseCookies = false,

            // No redirect is followed: not on a handshake (Socket.IO clients do not; a 3xx is a refused handshake), and not
            // on the cookie or CSRF route, so a cookie or credential header never goes to an origin it was not meant for.
            AllowAutoRedirect = false,
            ConnectTimeout = Options.ConnectTimeout,

            // Response headers (Set-Cookie included) of every request: a server cannot make the client hold more.
            MaxResponseHeadersLength = EngineCookies.MaxResponseHeadersKiB,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        if (Options.RemoteCertificateValidationCallback is { } validate)
        {
            _handler.SslOptions.RemoteCertificateValidationCallback = validate;
        }

        if (Options.Proxy is { } proxy)
        {
            _handler.Proxy = proxy;
            _handler.UseProxy = true;
        }

        _invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
        _http = new HttpClient(_handler, disposeHandler: false) { Timeout = Options.ConnectTimeout };
        Http = new SailsHttp(_http, Options.GetCookieRoute);
        Health = new NodeHealth(Options.TimeProvider, Options.FailedNodeRetryDelay);
        SailsTelemetry.Track(this);
    }

    /// <summary>The client's options.</summary>
    public SailsClientOptions Options { get; }

    /// <summary>
    /// The cookie store the client's sockets share, as a browser's tabs share one: what a server sets on a handshake, a
    /// poll, an upgrade, <see cref="GetCsrfTokenAsync"/> or the cookie route (<see cref="SailsClientOptions.UseCorsRouteToGetCookie"/>)
    /// is kept here and sent with later requests to the same host — a load balancer's sticky-session cookie, Sails'
    /// <c>sails.sid</c>. Add cookies to it to start sockets with them; a socket with <see cref="SailsSocketOptions.Cookies"/>
    /// uses its own store instead.
    /// </summary>
    /// <remarks>
    /// Cookies are matched by <see cref="CookieContainer"/> (RFC 6265): never sent to another host, but shared by two
    /// servers on one host with different ports (RFC 6265 §8.5). A <c>Cookie</c> handshake header
    /// (<see cref="SailsClientOptions.InitialConnectionHeaders"/>) wins over a stored cookie of the same name
    /// (<see cref="EngineOptions.Cookies"/> has the rules). Thread-safe.
    /// </remarks>
    public CookieContainer Cookies { get; } = new();

    /// <summary>The sockets this client has connected that are not yet disposed.</summary>
    public IReadOnlyCollection<SailsSocket> Sockets => _sockets.Keys.ToArray();

    internal HttpMessageInvoker HttpInvoker => _invoker;

    /// <summary>
    /// Awaited before every reconnection attempt of this client's sockets (after the backoff), outside the attempt's
    /// connect bound; <see langword="null"/> for none. A <see cref="Fleet.SailsFleet"/> sets its connect-rate gate here.
    /// </summary>
    internal Func<CancellationToken, ValueTask>? AttemptGate { get; init; }

    /// <summary>When each node last failed, shared by the client's sockets (failover, <see cref="SailsClientOptions.Urls"/>).</summary>
    internal NodeHealth Health { get; }

    /// <summary>The next socket's spread number: where its failover walk starts among the other nodes.</summary>
    internal int NextSpread() => Interlocked.Increment(ref _nextSpread) & int.MaxValue;

    /// <summary>The CSRF and cookie-route requests, through the shared handler.</summary>
    internal SailsHttp Http { get; }

    /// <summary>Connects a new socket to <see cref="SailsClientOptions.Url"/> (<c>io.sails.connect()</c>).</summary>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connected socket; dispose it (or the client) when done.</returns>
    /// <exception cref="ArgumentException">No URL is configured.</exception>
    /// <exception cref="SailsConnectionException">The server is unreachable, refused the handshake, or is not a Socket.IO server.</exception>
    /// <exception cref="SailsTimeoutException">Connecting took longer than <see cref="SailsClientOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<SailsSocket> ConnectAsync(CancellationToken cancellationToken = default) =>
        ConnectCoreAsync(null, cancellationToken);

    /// <summary>Connects a new socket to <paramref name="url"/> (<c>io.sails.connect(url)</c>).</summary>
    /// <param name="url">The Sails server, e.g. <c>http://localhost:1337</c>.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connected socket.</returns>
    /// <exception cref="ArgumentException">The URL is not an absolute http, https, ws or wss URL.</exception>
    /// <exception cref="SailsConnectionException">The server is unreachable, refused the handshake, or is not a Socket.IO server.</exception>
    /// <exception cref="SailsTimeoutException">Connecting took longer than the connect timeout.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<SailsSocket> ConnectAsync(Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        return ConnectCoreAsync(new SailsSocketOptions { Url = url }, cancellationToken);
    }

    /// <summary>Connects a new socket with per-socket settings (<c>io.sails.connect(url, options)</c>).</summary>
    /// <param name="options">Overrides of the client's defaults for this socket.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connected socket.</returns>
    /// <remarks>
    /// With reconnection enabled, a server that is down is retried with backoff for at most
    /// <see cref="SailsClientOptions.ConnectTimeout"/> in all; the exception then carries the latest attempt's error.
    /// </remarks>
    /// <exception cref="ArgumentException">The options are invalid or no URL is configured.</exception>
    /// <exception cref="SailsConnectionException">The server is unreachable, refused the handshake, or is not a Socket.IO server.</exception>
    /// <exception cref="SailsTimeoutException">Connecting took longer than the connect timeout.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<SailsSocket> ConnectAsync(SailsSocketOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ConnectCoreAsync(options, cancellationToken);
    }

    /// <summary>
    /// Creates a socket without waiting for it to connect. With <see cref="SailsClientOptions.AutoConnect"/> (the default)
    /// it starts connecting at once in the background; requests made meanwhile are queued and sent once it is connected.
    /// Otherwise call <see cref="SailsSocket.ConnectAsync"/>.
    /// </summary>
    /// <param name="options">Overrides of the client's defaults for this socket, or <see langword="null"/>.</param>
    /// <returns>The socket; dispose it (or the client) when done.</returns>
    /// <exception cref="ArgumentException">The options are invalid or no URL is configured.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public SailsSocket CreateSocket(SailsSocketOptions? options = null)
    {
        return CreateSocketCore(options, startConnecting: Options.AutoConnect);
    }

    /// <summary>Fetches a CSRF token over HTTP (<c>GET /csrfToken</c>), for apps with CSRF protection on.</summary>
    /// <param name="cookie">
    /// The session cookie the token belongs to (the <c>Cookie</c> the socket's handshake sends), or <see langword="null"/>
    /// for the session in <see cref="Cookies"/>; its pairs win over stored cookies of the same name.
    /// </param>
    /// <param name="url">The server; <see cref="SailsClientOptions.Url"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token, to send as the <c>x-csrf-token</c> request header.</returns>
    /// <remarks>
    /// A token belongs to a session, and a socket's session is fixed by the cookie its handshake sends. A session cookie
    /// the server sets here is stored in <see cref="Cookies"/>, so only sockets of this client that connect afterwards
    /// belong to the token's session. To keep a token right across reconnects and server restarts, fetch it for each
    /// handshake instead: <see cref="SailsHandshake.AddCsrfTokenAsync"/> in <see cref="SailsClientOptions.ConfigureHandshake"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">No URL is configured.</exception>
    /// <exception cref="SailsConnectionException">The request failed or got no answer within
    /// <see cref="SailsClientOptions.ConnectTimeout"/>, the answer holds no token, or its body is larger than 64 KiB (the
    /// bound on a CSRF answer: nothing beyond it is read).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<string> GetCsrfTokenAsync(string? cookie = null, Uri? url = null, CancellationToken cancellationToken = default)
    {
        var server = url ?? Options.Url ?? throw new ArgumentException("No server URL: set SailsClientOptions.Url, or pass one.", nameof(url));
        return Http.GetCsrfTokenAsync(server, cookie, Cookies, cancellationToken);
    }

    /// <summary>Disposes every socket of this client (all at once, each within 4 s whatever the server does), then the
    /// shared handler and timer. Idempotent.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var sockets = _sockets.Keys.ToArray();
        var disposals = new List<Task>(sockets.Length);
        foreach (var socket in sockets)
        {
            disposals.Add(socket.DisposeAsync().AsTask());
        }

        await Task.WhenAll(disposals).ConfigureAwait(false);
        SailsTelemetry.Untrack(this);
        _http.Dispose();
        _invoker.Dispose();
        _handler.Dispose();
    }

    internal void Forget(SailsSocket socket) => _sockets.TryRemove(socket, out _);

    /// <summary>The sockets not disposed yet, for the gauges of the <c>SailSocket</c> meter (a snapshot).</summary>
    internal ICollection<SailsSocket> LiveSockets => _sockets.Keys;

    private async Task<SailsSocket> ConnectCoreAsync(SailsSocketOptions? options, CancellationToken cancellationToken)
    {
        var socket = CreateSocketCore(options, startConnecting: false);
        try
        {
            await socket.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            await socket.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A socket's identity. Sockets created without options share the client's one instance (immutable): a harness with
    /// thousands of sockets then holds one copy of the headers and query, not one per socket.
    /// </summary>
    private SocketIdentity ResolveIdentity(SailsSocketOptions? options)
    {
        if (options is not null)
        {
            return SocketIdentity.Resolve(Options, options, nameof(options));
        }

        var shared = Volatile.Read(ref _defaultIdentity);
        if (shared is null)
        {
            shared = SocketIdentity.Resolve(Options, null, "url");
            Volatile.Write(ref _defaultIdentity, shared);
        }

        return shared;
    }

    private SailsSocket CreateSocketCore(SailsSocketOptions? options, bool startConnecting) =>
        CreateSocketWith(ResolveIdentity(options), startConnecting);

    /// <summary>Creates a socket with an identity resolved beforehand (a fleet shares one per node).</summary>
    internal SailsSocket CreateSocketWith(SocketIdentity identity, bool startConnecting)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var socket = new SailsSocket(this, identity);
        _sockets.TryAdd(socket, 0);
        if (Volatile.Read(ref _disposed) != 0)
        {
            _ = socket.DisposeAsync().AsTask();
            throw new ObjectDisposedException(nameof(SailsClient));
        }

        if (startConnecting)
        {
            socket.StartConnecting();
        }

        return socket;
    }
}
