using System;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Connection;
using SailSocket.Diagnostics;
using SailSocket.Errors;
using SailSocket.Events;
using SailSocket.Requests;
using SailSocket.SocketIo;

namespace SailSocket;

/// <summary>
/// One socket to a Sails app (sails.io.js's <c>SailsSocket</c>): requests with <see cref="GetAsync(string, CancellationToken)"/>,
/// <see cref="PostAsync(string, CancellationToken)"/> and friends, and server events with <see cref="On"/>.
/// Create it with <see cref="SailsClient.ConnectAsync(CancellationToken)"/> (connected when returned) or
/// <see cref="SailsClient.CreateSocket"/> (connects in the background; requests wait in a queue).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>All members are thread-safe: any number of requests may be in flight at once, from any threads; responses are
/// matched by ack id, whatever order the server answers in.</item>
/// <item>Requests made while the socket is connecting or reconnecting are queued in order (bounded by
/// <see cref="SailsClientOptions.MaxQueuedRequests"/>) and sent exactly once when it connects; while queued they still
/// honour their timeout and cancellation.</item>
/// <item>Requests already sent when the connection drops fail at once with <see cref="SailsRequestInterruptedException"/>:
/// the server may or may not have processed them. They are never resent.</item>
/// <item>Event handlers and lifecycle events run on the thread pool, one at a time per socket, in the order things
/// happened — never on the receive loop, so a slow or throwing handler cannot stall the socket (exceptions go to
/// <see cref="HandlerException"/>).</item>
/// <item>Every request has a deadline (<see cref="SailsClientOptions.RequestTimeout"/>); cancelling a request's token
/// stops waiting without touching the connection.</item>
/// <item>Requests return <see cref="ValueTask{TResult}"/> (await each once; call <see cref="ValueTask{TResult}.AsTask"/>
/// once to keep or combine one); everything else that is asynchronous returns <see cref="Task"/>.</item>
/// </list>
/// </remarks>
public sealed partial class SailsSocket : IAsyncDisposable, IConnectionObserver
{
    private readonly SailsClient _owner;
    private readonly ConnectionSupervisor _supervisor;
    private readonly RequestQueue _queue;
    private readonly RequestSender _sender;
    private readonly EventRouter _events;
    private readonly SubscriptionRegistry _subscriptions = new();
    private int _disposed;

    internal SailsSocket(SailsClient owner, SocketIdentity identity)
    {
        _owner = owner;
        Url = identity.Url;
        Diagnostics = new SocketDiagnostics(owner.Options, identity, owner.Cookies);
        _queue = new RequestQueue(owner.Options.MaxQueuedRequests, owner.Options.TimeProvider);
        _sender = new RequestSender(_queue, owner.Options, Diagnostics);
        _events = new EventRouter(owner.Options, this);
        _supervisor = new ConnectionSupervisor(new HandshakePlan(owner, identity), owner.Options, _queue, this, _events.OnSocketIoEvent, Diagnostics, owner.NextSpread());
    }

    /// <summary>The server this socket connects to: its own node, the first it tries (<see cref="SailsClientOptions.Urls"/> has the others).</summary>
    public Uri Url { get; }

    /// <summary>
    /// The node the current or last connection went to: <see cref="Url"/>, or another of <see cref="SailsClientOptions.Urls"/>
    /// after a failover. <see langword="null"/> before the first connection.
    /// </summary>
    public Uri? CurrentUrl => _supervisor.Latest?.Node;

    /// <summary>The socket id on the server (<c>sails.sockets.getId(req)</c>) of the current or last connection; empty before the first.</summary>
    /// <remarks>The id changes on every reconnect: the server sees a new socket, without the old one's rooms.</remarks>
    public string Id => _supervisor.Latest?.Id ?? string.Empty;

    /// <summary>Where the socket is in its life.</summary>
    public SailsSocketState State => _supervisor.State;

    /// <summary>Whether the socket is connected.</summary>
    public bool IsConnected => State == SailsSocketState.Connected;

    /// <summary>Raised when the socket connects: the first time and after every reconnect (socket.io <c>connect</c>).</summary>
    public event EventHandler<SailsConnectionEventArgs>? Connected;

    /// <summary>Raised once each time the socket stops being connected, after requests in flight have failed.</summary>
    public event EventHandler<SailsDisconnectedEventArgs>? Disconnected;

    /// <summary>Raised before each reconnection attempt, with its number and delay (socket.io <c>reconnecting</c>).</summary>
    public event EventHandler<SailsConnectionEventArgs>? Reconnecting;

    /// <summary>Raised when a reconnection attempt succeeds, with its number (socket.io <c>reconnect</c>).</summary>
    public event EventHandler<SailsConnectionEventArgs>? Reconnected;

    /// <summary>Raised when a connection attempt fails, with the error (socket.io <c>connect_error</c>).</summary>
    public event EventHandler<SailsConnectionEventArgs>? ConnectError;

    /// <summary>Raised when reconnection gives up after its last attempt (socket.io <c>reconnect_failed</c>).</summary>
    public event EventHandler<SailsConnectionEventArgs>? ReconnectFailed;

    /// <summary>Connects the socket if it is not connected (and waits for a connect already under way).</summary>
    /// <param name="cancellationToken">Stops waiting; the connect goes on in the background.</param>
    /// <returns>A task that completes when the socket is connected.</returns>
    /// <remarks>
    /// Without reconnection one attempt is made, bounded by <see cref="SailsClientOptions.ConnectTimeout"/>. With
    /// reconnection on, failed attempts are retried with backoff, and the wait as a whole is bounded by
    /// <see cref="SailsClientOptions.ConnectTimeout"/> too (the attempts go on in the background); a wait that times out
    /// or is cancelled carries the latest attempt's error as its inner exception.
    /// </remarks>
    /// <exception cref="SailsConnectionException">Connecting failed and no (further) attempt will be made.</exception>
    /// <exception cref="SailsTimeoutException">The socket did not connect within the connect timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task ConnectAsync(CancellationToken cancellationToken = default) => _supervisor.ConnectAsync(cancellationToken);

    /// <summary>Drops the current connection (if any) and connects anew at once, with reconnection's backoff if that fails.</summary>
    /// <param name="cancellationToken">Stops waiting; reconnection goes on in the background.</param>
    /// <returns>A task that completes when the socket is connected again.</returns>
    /// <remarks>Requests in flight on the old connection fail with <see cref="SailsRequestInterruptedException"/>.</remarks>
    /// <exception cref="SailsConnectionException">Reconnecting failed and no further attempt will be made.</exception>
    /// <exception cref="SailsTimeoutException">The socket did not connect within the connect timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task ReconnectAsync(CancellationToken cancellationToken = default) => _supervisor.ReconnectAsync(cancellationToken);

    /// <summary>
    /// Disconnects from the server and stops reconnecting. Requests waiting for a response fail with
    /// <see cref="SailsRequestInterruptedException"/>, queued ones with <see cref="SailsConnectionException"/>.
    /// <see cref="ConnectAsync"/> connects again. Idempotent. Returns within 4 s whatever the server does (a server that
    /// stops reading gets its connection aborted); see docs/reliability.md.
    /// </summary>
    /// <param name="cancellationToken">Bounds the wait for earlier sends before the disconnect packet.</param>
    /// <returns>A task that completes when the connection is closed.</returns>
    public Task DisconnectAsync(CancellationToken cancellationToken = default) => _supervisor.DisconnectAsync(cancellationToken);

    /// <summary>Disposes the socket: disconnects, fails queued requests, releases everything. Idempotent. Returns within 4 s
    /// whatever the server does, as <see cref="DisconnectAsync"/>.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _supervisor.CloseAsync().ConfigureAwait(false);
        _events.Close();
        _owner.Forget(this);
    }

    /// <summary>Starts connecting in the background (auto-connect); failures are reported by <see cref="ConnectError"/>.</summary>
    internal void StartConnecting() => _supervisor.StartConnecting();

    /// <summary>What this socket reports to the EventSource, the metrics and the log sink.</summary>
    internal SocketDiagnostics Diagnostics { get; }

    /// <summary>Requests sent on the current connection and waiting for their response (the <c>sailsocket.requests.active</c> gauge).</summary>
    internal int ActiveRequestCount => _supervisor.State == SailsSocketState.Connected && _supervisor.Latest is { } connection ? connection.Io.PendingAckCount : 0;

    /// <summary>Requests waiting for a connection (the <c>sailsocket.requests.queued</c> gauge).</summary>
    internal int QueuedRequestCount => _queue.Count;

    /// <summary>A handler threw (on the dispatcher): reported, and the next event still runs.</summary>
    internal void OnHandlerFailed(SailsEvent socketEvent, Exception error) => Raise(HandlerException, new SailsHandlerExceptionEventArgs(socketEvent, error));

    private void Raise<TArgs>(EventHandler<TArgs>? handler, TArgs args) => handler?.Invoke(this, args);

    // The supervisor's news, turned into lifecycle events, replays and the queue flush, in order, on the dispatcher.
    void IConnectionObserver.OnReconnecting(int attempt, TimeSpan? delay) =>
        _events.Post(Reconnecting, () => Raise(Reconnecting, delay is { } d ? new SailsConnectionEventArgs(attempt, d) : new SailsConnectionEventArgs(attempt)));

    void IConnectionObserver.OnAttemptFailed(int attempt, Exception error) =>
        _events.Post(ConnectError, () => Raise(ConnectError, new SailsConnectionEventArgs(attempt, exception: error)));

    async Task IConnectionObserver.OnConnectedAsync(LiveConnection connection)
    {
        var attempt = connection.Attempt;
        _events.Post(Connected, () => Raise(Connected, new SailsConnectionEventArgs(attempt)));
        if (attempt > 0)
        {
            _events.Post(Reconnected, () => Raise(Reconnected, new SailsConnectionEventArgs(attempt)));

            // The server forgot this socket's rooms and subscriptions: replay them before the queued requests.
            await _subscriptions.ReplayAsync(connection, _sender, _owner.Options.RequestTimeout, ReportReplay).ConfigureAwait(false);
        }

        _queue.Flush(connection);
    }

    void IConnectionObserver.OnLost(LiveConnection connection, SocketIoDisconnectedException reason) =>
        _events.Post(Disconnected, () => Raise(Disconnected, new SailsDisconnectedEventArgs(SailsErrors.Disconnect(reason), reason)));

    void IConnectionObserver.OnGaveUp(int attempt, Exception error) =>
        _events.Post(ReconnectFailed, () => Raise(ReconnectFailed, new SailsConnectionEventArgs(attempt, exception: error)));

    private void ReportReplay(SailsSubscription subscription, SailsResponse? response, Exception? error) =>
        _events.Post(Resubscribed, () => Raise(Resubscribed, new SailsResubscribedEventArgs(subscription, response, error)));
}
