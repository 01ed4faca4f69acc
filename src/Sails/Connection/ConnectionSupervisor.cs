using System;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Diagnostics;
using SailSocket.Errors;
using SailSocket.Internal;
using SailSocket.Requests;
using SailSocket.SocketIo;

namespace SailSocket.Connection;

/// <summary>
/// A socket's connection state machine: the connect loop with its backoff, the reconnect decision when a connection is
/// lost, and the one current <see cref="LiveConnection"/>. Opens, holds and rejects the request queue as the state changes.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>One lock (on itself: an internal object nobody else can reach, one object less per socket) guards the state, the current connection and the running loop; the queue's lock is only ever taken
/// inside it, never the other way round.</item>
/// <item>At most one connect loop runs; <see cref="ConnectAsync"/> and a background connect wait for the same one.</item>
/// <item>The observer is told outside the lock.</item>
/// <item>Each attempt goes to the node <see cref="FailoverOrder"/> picks (always the socket's own URL when it has no
/// other); a failed attempt and a lost connection are recorded in the client's <see cref="NodeHealth"/>, a connect clears
/// its node there.</item>
/// </list>
/// </remarks>
internal sealed class ConnectionSupervisor
{
    private readonly HandshakePlan _plan;
    private readonly SailsClientOptions _options;
    private readonly RequestQueue _queue;
    private readonly IConnectionObserver _observer;
    private readonly SocketIoEventCallback _onEvent;
    private readonly SocketDiagnostics _diagnostics;

    /// <summary>Where this socket's failover walk starts among the other nodes (<see cref="FailoverOrder"/>).</summary>
    private readonly int _spread;
    private SailsSocketState _state = SailsSocketState.Disconnected;
    private LiveConnection? _current;

    /// <summary>Stops the running connect loop (a user disconnect, a manual reconnect, disposal).</summary>
    private CancellationTokenSource? _loopStop;

    /// <summary>Completes when the running connect loop connects, fails with why it gave up; null when no loop runs.</summary>
    private TaskCompletionSource? _loopDone;

    /// <summary>Why the latest attempt failed, for a connect that is cancelled or times out while retrying.</summary>
    private Exception? _lastError;

    /// <summary>Creates a supervisor.</summary>
    /// <param name="plan">What each attempt sends.</param>
    /// <param name="options">The client's tuning: connect timeout, reconnection, clock.</param>
    /// <param name="queue">The request queue it holds, opens and rejects.</param>
    /// <param name="observer">Told of what happens, outside the lock.</param>
    /// <param name="onEvent">Receives every connection's server events, on its receive loop.</param>
    /// <param name="diagnostics">Reports what happens to the EventSource, the metrics and the log sink.</param>
    /// <param name="spread">The socket's spread number, from <see cref="SailsClient.NextSpread"/>.</param>
    public ConnectionSupervisor(HandshakePlan plan, SailsClientOptions options, RequestQueue queue, IConnectionObserver observer, SocketIoEventCallback onEvent, SocketDiagnostics diagnostics, int spread)
    {
        _spread = spread;
        _diagnostics = diagnostics;
        _plan = plan;
        _options = options;
        _queue = queue;
        _observer = observer;
        _onEvent = onEvent;
    }

    public SailsSocketState State
    {
        get
        {
            lock (this)
            {
                return _state;
            }
        }
    }

    /// <summary>The current connection, or the last one; null before the first.</summary>
    public LiveConnection? Latest { get; private set; }

    /// <summary>The server (the latest attempt's node), for diagnostics: scheme, host and port only (never the query, which may carry credentials).</summary>
    private string Where => _diagnostics.Where;

    /// <summary>Whether the socket has nodes to fail over to (<see cref="SailsClientOptions.Urls"/>).</summary>
    private bool HasFailover => _plan.Identity.Nodes is { Count: > 1 };

    /// <summary>Connects unless connected, waiting for a connect already under way.</summary>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public Task ConnectAsync(CancellationToken cancellationToken)
    {
        Task done;
        lock (this)
        {
            if (_state == SailsSocketState.Closed)
            {
                return Task.FromException(new ObjectDisposedException(nameof(SailsSocket)));
            }

            if (_state == SailsSocketState.Connected)
            {
                return Task.CompletedTask;
            }

            done = StartLoop(firstAttempt: 0);
        }

        return WaitAsync(done, cancellationToken);
    }

    /// <summary>Starts connecting in the background unless something runs already (auto-connect).</summary>
    public void StartConnecting()
    {
        lock (this)
        {
            if (_state == SailsSocketState.Disconnected)
            {
                StartLoop(firstAttempt: 0);
            }
        }
    }

    /// <summary>Drops the current connection and connects anew at once.</summary>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        LiveConnection? old;
        Task done;
        lock (this)
        {
            ObjectDisposedException.ThrowIf(_state == SailsSocketState.Closed, typeof(SailsSocket));
            old = _current;
            _current = null;
            StopLoop(new SailsConnectionException("A reconnect was requested."));
            done = StartLoop(firstAttempt: 1, delayFirst: false);
        }

        if (old is not null)
        {
            var reason = new SocketIoDisconnectedException(SocketIoDisconnectReason.ClientDisconnect, "The client is reconnecting.");
            _diagnostics.Disconnected(reason);
            _observer.OnLost(old, reason);
            await old.DisposeAsync().ConfigureAwait(false);
        }

        await WaitAsync(done, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disconnects and stops reconnecting; what waits in the queue fails. Idempotent.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        LiveConnection? connection;
        lock (this)
        {
            if (_state == SailsSocketState.Closed)
            {
                return;
            }

            StopLoop(new SailsConnectionException("The socket was disconnected by the client."));
            _state = SailsSocketState.Disconnected;
            connection = _current;
            _queue.Reject(new SailsConnectionException("The socket was disconnected before the request could be sent."));
        }

        if (connection is not null)
        {
            // Its loss is reported through OnConnectionLost (Disconnected, once), which also forgets it.
            await connection.DisconnectAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Disconnects for good (disposal).</summary>
    public async Task CloseAsync()
    {
        await DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
        lock (this)
        {
            _state = SailsSocketState.Closed;
            _queue.Close(new ObjectDisposedException(nameof(SailsSocket)));
        }
    }

    /// <summary>
    /// Waits for a connect. With reconnection on, attempts are retried, so the wait as a whole is bounded by
    /// <see cref="SailsClientOptions.ConnectTimeout"/> too; a wait that ends early carries the latest attempt's error.
    /// </summary>
    private async Task WaitAsync(Task done, CancellationToken cancellationToken)
    {
        try
        {
            if (_options.Reconnection.Enabled)
            {
                await done.WaitAsync(_options.ConnectTimeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await done.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (TimeoutException) when (!done.IsCompleted)
        {
            var last = Volatile.Read(ref _lastError);
            throw new SailsTimeoutException(
                $"The socket did not connect to {Where} within {_options.ConnectTimeout.TotalSeconds:0.###} s (ConnectTimeout)."
                + (last is null ? string.Empty : $" Latest attempt: {last.Message}"),
                last);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !done.IsCompleted && Volatile.Read(ref _lastError) is { } last)
        {
            throw new OperationCanceledException($"Stopped waiting for the socket to connect to {Where}. Latest attempt: {last.Message}", last, cancellationToken);
        }
    }

    /// <summary>Starts the connect loop unless one runs; under the lock.</summary>
    private Task StartLoop(int firstAttempt, bool delayFirst = true)
    {
        if (_loopDone is { } running)
        {
            return running.Task;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = new CancellationTokenSource();
        _loopDone = done;
        _loopStop = stop;
        _state = firstAttempt == 0 ? SailsSocketState.Connecting : SailsSocketState.Reconnecting;
        Volatile.Write(ref _lastError, null);
        _queue.Hold();
        _ = Task.Run(() => RunLoopAsync(firstAttempt, delayFirst, done, stop));
        return done.Task;
    }

    /// <summary>Stops the running connect loop, failing its waiters; under the lock.</summary>
    private void StopLoop(Exception reason)
    {
        if (_loopDone is { } done)
        {
            Fault(done, reason);
        }

        _loopStop?.Cancel();
        _loopDone = null;
        _loopStop = null;
    }

    private async Task RunLoopAsync(int firstAttempt, bool delayFirst, TaskCompletionSource done, CancellationTokenSource stop)
    {
        var attempt = firstAttempt;
        var reconnection = _options.Reconnection;
        while (true)
        {
            try
            {
                if (attempt > 0 && (delayFirst || attempt > firstAttempt))
                {
                    var delay = ReconnectBackoff.GetDelay(reconnection, attempt, Random.Shared.NextDouble(), Random.Shared.Next(2) == 0);
                    _diagnostics.Reconnecting(attempt, delay);

                    _observer.OnReconnecting(attempt, delay);
                    await Task.Delay(delay, _options.TimeProvider, stop.Token).ConfigureAwait(false);
                }
                else if (attempt > 0)
                {
                    _observer.OnReconnecting(attempt, null);
                }

                if (attempt > 0 && _plan.AttemptGate is { } gate)
                {
                    // A fleet's connect rate: the sockets of a node that died all reconnect through it, not at once.
                    await gate(stop.Token).ConfigureAwait(false);
                }

                var node = HasFailover ? FailoverOrder.Next(_plan.Identity.Nodes!, _spread, _plan.Health) : _plan.Identity.Url;
                _diagnostics.Node = node;
                var connection = await LiveConnection.ConnectAsync(this, _plan, attempt, node, _onEvent, stop.Token).ConfigureAwait(false);
                await OnConnectedAsync(connection, done, stop).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Every failure of an attempt is reported (ConnectError) and decides whether to try again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var failed = _diagnostics.Url;
                if (HasFailover)
                {
                    _plan.Health.Failed(failed);
                }

                var error = SailsErrors.Connect(ex, failed, _options.ConnectTimeout);
                Volatile.Write(ref _lastError, error);
                _diagnostics.AttemptFailed(attempt, error);

                _observer.OnAttemptFailed(attempt, error);
                var retry = reconnection.Enabled && attempt < reconnection.Attempts && error is SailsConnectionException or SailsTimeoutException;
                if (!retry)
                {
                    GiveUp(done, stop, error, attempt);
                    return;
                }

                attempt++;
            }
        }
    }

    private async Task OnConnectedAsync(LiveConnection connection, TaskCompletionSource done, CancellationTokenSource stop)
    {
        var wanted = false;
        lock (this)
        {
            if (ReferenceEquals(_loopDone, done) && !stop.IsCancellationRequested)
            {
                wanted = true;
                _current = connection;
                Latest = connection;
                _state = SailsSocketState.Connected;
                _queue.BeginFlush(connection);
                _loopDone = null;
                _loopStop = null;
                done.TrySetResult();
            }
        }

        if (!wanted)
        {
            // Disconnected, reconnected or disposed meanwhile: this connection is not wanted.
            await connection.DisposeAsync().ConfigureAwait(false);
            return;
        }

        stop.Dispose();
        if (HasFailover)
        {
            _plan.Health.Succeeded(connection.Node);
        }

        _diagnostics.Connected(connection);

        await _observer.OnConnectedAsync(connection).ConfigureAwait(false);
    }

    private void GiveUp(TaskCompletionSource done, CancellationTokenSource stop, Exception error, int attempt)
    {
        lock (this)
        {
            if (!ReferenceEquals(_loopDone, done))
            {
                return;
            }

            _loopDone = null;
            _loopStop = null;
            _state = SailsSocketState.Disconnected;
            _queue.Reject(new SailsConnectionException($"The socket could not connect, so the request was not sent: {error.Message}", error));
        }

        stop.Dispose();
        Fault(done, error);
        if (attempt > 0)
        {
            _diagnostics.GaveUp(attempt, error);

            _observer.OnGaveUp(attempt, error);
        }
    }

    /// <summary>On the receive loop of a connection that ended (once per connection).</summary>
    internal void OnConnectionLost(LiveConnection lost, SocketIoDisconnectedException reason)
    {
        lock (this)
        {
            if (!ReferenceEquals(_current, lost))
            {
                return;
            }

            _current = null;
            var reconnect = _options.Reconnection.Enabled && _state == SailsSocketState.Connected && SailsErrors.IsReconnectable(reason);
            if (reconnect)
            {
                if (HasFailover)
                {
                    // Before the loop picks a node: the one just lost goes to the back.
                    _plan.Health.Failed(lost.Node);
                }

                StartLoop(firstAttempt: 1);
            }
            else if (_state != SailsSocketState.Closed)
            {
                _state = SailsSocketState.Disconnected;
                _queue.Reject(new SailsConnectionException("The socket disconnected before the request could be sent.", reason));
            }
        }

        _diagnostics.Disconnected(reason);

        _observer.OnLost(lost, reason);

        // Releases the old connection's resources; the loop that called us has finished its work.
        _ = Task.Run(() => lost.DisposeAsync().AsTask());
    }

    private static void Fault(TaskCompletionSource done, Exception error)
    {
        if (done.TrySetException(error))
        {
            // A background connect may have no one waiting for it: do not report the fault as unobserved.
            _ = done.Task.Exception;
        }
    }
}
