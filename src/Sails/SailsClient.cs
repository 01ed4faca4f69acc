using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;

namespace SailSocket;

/// <summary>
/// The counterpart of sails.io.js's <c>io.sails</c>: default options, and what many sockets share — one HTTP handler
/// for every WebSocket handshake, one buffer pool and one timer for every deadline and heartbeat.
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
    private readonly ConcurrentDictionary<SailsSocket, byte> _sockets = new();
    private int _disposed;

    /// <summary>Creates a client.</summary>
    /// <param name="options">Defaults and shared settings; <see langword="null"/> for all defaults.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SailsClient(SailsClientOptions? options = null)
    {
        Options = options ?? new SailsClientOptions();
        Options.Validate();
        _handler = new SocketsHttpHandler
        {
            // Handshake cookies are explicit headers (InitialConnectionHeaders); never a hidden container.
            UseCookies = false,
            ConnectTimeout = Options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        _invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
        Timer = new SharedTimer(Options.TimerResolution, Options.TimeProvider);
    }

    /// <summary>The client's options.</summary>
    public SailsClientOptions Options { get; }

    /// <summary>The sockets this client has connected that are not yet disposed.</summary>
    public IReadOnlyCollection<SailsSocket> Sockets => _sockets.Keys.ToArray();

    internal SharedTimer Timer { get; }

    internal HttpMessageInvoker HttpInvoker => _invoker;

    /// <summary>Connects a new socket to <see cref="SailsClientOptions.Url"/> (<c>io.sails.connect()</c>).</summary>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connected socket; dispose it (or the client) when done.</returns>
    /// <exception cref="ArgumentException">No URL is configured.</exception>
    /// <exception cref="SailsConnectionException">The server is unreachable, refused the handshake, or is not a Socket.IO server.</exception>
    /// <exception cref="SailsTimeoutException">Connecting took longer than <see cref="SailsClientOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<SailsSocket> ConnectAsync(CancellationToken cancellationToken = default) =>
        ConnectAsync(new SailsSocketOptions(), cancellationToken);

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
        return ConnectAsync(new SailsSocketOptions { Url = url }, cancellationToken);
    }

    /// <summary>Connects a new socket with per-socket settings (<c>io.sails.connect(url, options)</c>).</summary>
    /// <param name="options">Overrides of the client's defaults for this socket.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connected socket.</returns>
    /// <exception cref="ArgumentException">The options are invalid or no URL is configured.</exception>
    /// <exception cref="SailsConnectionException">The server is unreachable, refused the handshake, or is not a Socket.IO server.</exception>
    /// <exception cref="SailsTimeoutException">Connecting took longer than the connect timeout.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<SailsSocket> ConnectAsync(SailsSocketOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var settings = SailsSocketSettings.Resolve(Options, options);
        var socket = await SailsSocket.ConnectAsync(this, settings, cancellationToken).ConfigureAwait(false);
        _sockets.TryAdd(socket, 0);
        if (Volatile.Read(ref _disposed) != 0)
        {
            await socket.DisposeAsync().ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(SailsClient));
        }

        return socket;
    }

    /// <summary>Disposes every socket of this client, then the shared handler and timer. Idempotent.</summary>
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
        Timer.Dispose();
        _invoker.Dispose();
        _handler.Dispose();
    }

    internal void Forget(SailsSocket socket) => _sockets.TryRemove(socket, out _);
}
