using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Internal;
using SailSocket.Protocol;
using SailSocket.SocketIo;

namespace SailSocket;

/// <content>Connecting, reconnecting with backoff, and disconnecting.</content>
public sealed partial class SailsSocket
{
    /// <summary>Stops the running connect loop (a user disconnect, a manual reconnect, disposal).</summary>
    private CancellationTokenSource? _loopStop;

    /// <summary>Completes when the running connect loop connects, fails with why it gave up; null when no loop runs.</summary>
    private TaskCompletionSource? _loopDone;

    /// <summary>Set from the moment a connection is made until the requests queued before it have been sent.</summary>
    private bool _flushing;

    /// <summary>Connects the socket if it is not connected (and waits for a connect already under way).</summary>
    /// <param name="cancellationToken">Stops waiting; the connect goes on in the background.</param>
    /// <returns>A task that completes when the socket is connected.</returns>
    /// <exception cref="SailsConnectionException">Connecting failed and no (further) attempt will be made.</exception>
    /// <exception cref="SailsTimeoutException">An attempt took longer than the connect timeout and no further attempt will be made.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        Task done;
        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return Task.FromException(new ObjectDisposedException(nameof(SailsSocket)));
            }

            if (_state == SailsSocketState.Connected)
            {
                return Task.CompletedTask;
            }

            done = StartConnectLoop(firstAttempt: 0);
        }

        return done.WaitAsync(cancellationToken);
    }

    /// <summary>Drops the current connection (if any) and connects anew at once, with reconnection's backoff if that fails.</summary>
    /// <param name="cancellationToken">Stops waiting; reconnection goes on in the background.</param>
    /// <returns>A task that completes when the socket is connected again.</returns>
    /// <remarks>Requests in flight on the old connection fail with <see cref="SailsRequestInterruptedException"/>.</remarks>
    /// <exception cref="SailsConnectionException">Reconnecting failed and no further attempt will be made.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task ReconnectAsync(CancellationToken cancellationToken = default)
    {
        SocketIoClient? old;
        Task done;
        lock (_gate)
        {
            ThrowIfDisposed();
            old = _io;
            _io = null;
            _flushing = false;
            StopLoop(new SailsConnectionException("A reconnect was requested."));
            done = StartConnectLoop(firstAttempt: 1, delayFirst: false);
        }

        if (old is not null)
        {
            Post(Disconnected, () => RaiseDisconnected(new SocketIoDisconnectedException(SocketIoDisconnectReason.ClientDisconnect, "The client is reconnecting.")));
            await old.DisposeAsync().ConfigureAwait(false);
        }

        await done.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Disconnects from the server and stops reconnecting. Requests waiting for a response fail with
    /// <see cref="SailsRequestInterruptedException"/>, queued ones with <see cref="SailsConnectionException"/>.
    /// <see cref="ConnectAsync"/> connects again. Idempotent.
    /// </summary>
    /// <param name="cancellationToken">Bounds the wait for earlier sends before the disconnect packet.</param>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        SocketIoClient? io;
        List<QueuedRequest> failed;
        lock (_gate)
        {
            if (_state == SailsSocketState.Closed)
            {
                return;
            }

            StopLoop(new SailsConnectionException("The socket was disconnected by the client."));
            _state = SailsSocketState.Disconnected;
            _flushing = false;
            io = _io;
            failed = DrainQueue();
        }

        FailQueued(failed, new SailsConnectionException("The socket was disconnected before the request could be sent."));
        if (io is not null)
        {
            // Its loss is reported through OnConnectionLost (Disconnected, once), which also forgets it.
            await io.DisconnectAsync(cancellationToken).ConfigureAwait(false);
            await io.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts connecting in the background (auto-connect); failures are reported by <see cref="ConnectError"/>.</summary>
    internal void StartConnecting()
    {
        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) == 0 && _state == SailsSocketState.Disconnected)
            {
                StartConnectLoop(firstAttempt: 0);
            }
        }
    }

    /// <summary>Starts the connect loop unless one runs; under the lock.</summary>
    private Task StartConnectLoop(int firstAttempt, bool delayFirst = true)
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
        _ = Task.Run(() => RunConnectLoopAsync(firstAttempt, delayFirst, done, stop));
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

    private async Task RunConnectLoopAsync(int firstAttempt, bool delayFirst, TaskCompletionSource done, CancellationTokenSource stop)
    {
        var attempt = firstAttempt;
        var reconnection = _settings.Reconnection;
        while (true)
        {
            try
            {
                if (attempt > 0 && (delayFirst || attempt > firstAttempt))
                {
                    var delay = ReconnectBackoff.GetDelay(reconnection, attempt, Random.Shared.NextDouble(), Random.Shared.Next(2) == 0);
                    var reconnectingAttempt = attempt;
                    if (SailsEventSource.Log.IsEnabled())
                    {
                        SailsEventSource.Log.Reconnecting(Where, attempt, (long)delay.TotalMilliseconds);
                    }

                    Post(Reconnecting, () => Raise(Reconnecting, new SailsConnectionEventArgs(reconnectingAttempt, delay)));
                    await Task.Delay(delay, _owner.Options.TimeProvider, stop.Token).ConfigureAwait(false);
                }
                else if (attempt > 0)
                {
                    var reconnectingAttempt = attempt;
                    Post(Reconnecting, () => Raise(Reconnecting, new SailsConnectionEventArgs(reconnectingAttempt)));
                }

                var (io, generation) = await ConnectOnceAsync(attempt, stop.Token).ConfigureAwait(false);
                await OnConnectedAsync(io, generation, attempt, done, stop).ConfigureAwait(false);
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
                var error = MapConnectError(ex, _settings);
                var failedAttempt = attempt;
                if (SailsEventSource.Log.IsEnabled())
                {
                    SailsEventSource.Log.ConnectFailed(Where, attempt, error.GetType().Name);
                }

                Post(ConnectError, () => Raise(ConnectError, new SailsConnectionEventArgs(failedAttempt, exception: error)));
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

    /// <summary>One connection attempt: the handshake for it, then the Socket.IO connect.</summary>
    private async Task<(SocketIoClient Io, int Generation)> ConnectOnceAsync(int attempt, CancellationToken stop)
    {
        var headers = new List<KeyValuePair<string, string>>(_settings.InitialConnectionHeaders);
        if (_settings.NoSession)
        {
            headers.Add(new("nosession", "true"));
        }

        var handshake = new SailsHandshake(headers, [.. _settings.Query], attempt);
        var cookies = _settings.Cookies ?? _owner.Cookies;
        if (_owner.Options.UseCorsRouteToGetCookie)
        {
            // The session cookie lands in the cookie store, which the handshake sends from.
            await _owner.FetchSessionCookieAsync(_settings.Url, cookies, stop).ConfigureAwait(false);
        }

        if (_settings.ConfigureHandshake is { } configure)
        {
            await configure(handshake, stop).ConfigureAwait(false);
        }

        SailsRequestValidation.CheckHeaders(handshake.Headers);
        SailsRequestValidation.CheckSdkVersion(handshake.Headers, nameof(SailsClientOptions.InitialConnectionHeaders));
        SailsRequestValidation.CheckSdkVersion(handshake.Query, nameof(SailsClientOptions.Query));

        // sails.io.js appends the SDK metadata after the user's query (docs/protocol.md §4.1).
        var query = new List<KeyValuePair<string, string>>(handshake.Query)
        {
            new("__sails_io_sdk_version", SailsSdkInfo.Version),
            new("__sails_io_sdk_platform", SailsSdkInfo.Platform),
            new("__sails_io_sdk_language", SailsSdkInfo.Language),
        };

        var generation = Interlocked.Increment(ref _lastGeneration);
        var options = new SocketIoOptions
        {
            Engine = new EngineOptions
            {
                Url = _settings.Url,
                Path = _owner.Options.Path,
                Query = query,
                Headers = [.. handshake.Headers],
                ConnectTimeout = _settings.ConnectTimeout,
                MaxMessageSize = _owner.Options.MaxMessageSize,
                BufferPool = _owner.Options.BufferPool,
                TimeProvider = _owner.Options.TimeProvider,
                TimerResolution = _owner.Options.TimerResolution,
                HttpInvoker = _owner.HttpInvoker,
                Cookies = cookies,
                WebSocketFactory = _owner.Options.WebSocketFactory,
                Transports = _settings.Transports,
                Revision = _settings.Revision,
                PollingRequestTimeout = _owner.Options.PollingRequestTimeout,
                UpgradeTimeout = _owner.Options.UpgradeTimeout,
            },
            Auth = handshake.Auth,
            ConnectTimeout = _settings.ConnectTimeout,
            MaxPendingAcks = _owner.Options.MaxPendingRequests,
            TimerResolution = _owner.Options.TimerResolution,
            OnEvent = OnSocketIoEvent,
            OnDisconnected = error => OnConnectionLost(generation, error),
        };

        try
        {
            return (await SocketIoClient.ConnectAsync(options, stop).ConfigureAwait(false), generation);
        }
        catch (EngineConnectionException ex) when (ex.Error == EngineConnectionError.HandshakeRefused)
        {
            // beforeConnect and onlyAllowOrigins explain themselves in the body of the refusal (docs/protocol.md §2.9).
            // Engine reads the body of the refusal on either transport, with the credentials redacted.
            var reason = string.IsNullOrWhiteSpace(ex.HttpResponseBody) ? null : ex.HttpResponseBody.Trim();
            throw new SailsConnectionException(
                $"The Sails server at {SafeDescription.Origin(_settings.Url)} refused the handshake with HTTP {ex.HttpStatusCode}"
                + (reason is null ? "." : $": {reason}") + " (beforeConnect, onlyAllowOrigins, or a path that is not Socket.IO's?)",
                ex,
                ex.HttpStatusCode,
                serverMessage: reason);
        }
    }

    private async Task OnConnectedAsync(SocketIoClient io, int generation, int attempt, TaskCompletionSource done, CancellationTokenSource stop)
    {
        var wanted = false;
        lock (_gate)
        {
            if (ReferenceEquals(_loopDone, done) && !stop.IsCancellationRequested)
            {
                wanted = true;
                _io = io;
                _ioGeneration = generation;
                Volatile.Write(ref _id, io.Id);
                _state = SailsSocketState.Connected;
                _flushing = true;
                _loopDone = null;
                _loopStop = null;
                done.TrySetResult();
            }
        }

        if (!wanted)
        {
            // Disconnected, reconnected or disposed meanwhile: this connection is not wanted.
            await io.DisposeAsync().ConfigureAwait(false);
            return;
        }

        stop.Dispose();
        if (SailsEventSource.Log.IsEnabled())
        {
            SailsEventSource.Log.Connected(Where, io.Id, attempt);
        }

        Post(Connected, () => Raise(Connected, new SailsConnectionEventArgs(attempt)));
        if (attempt > 0)
        {
            Post(Reconnected, () => Raise(Reconnected, new SailsConnectionEventArgs(attempt)));

            // The server forgot this socket's rooms and subscriptions: replay them before the queued requests.
            await ReplaySubscriptionsAsync(io).ConfigureAwait(false);
        }

        FlushQueue(io);
    }

    private void GiveUp(TaskCompletionSource done, CancellationTokenSource stop, Exception error, int attempt)
    {
        List<QueuedRequest> failed;
        lock (_gate)
        {
            if (!ReferenceEquals(_loopDone, done))
            {
                return;
            }

            _loopDone = null;
            _loopStop = null;
            _state = SailsSocketState.Disconnected;
            failed = DrainQueue();
        }

        stop.Dispose();
        FailQueued(failed, new SailsConnectionException($"The socket could not connect, so the request was not sent: {error.Message}", error));
        Fault(done, error);
        if (attempt > 0)
        {
            if (SailsEventSource.Log.IsEnabled())
            {
                SailsEventSource.Log.ReconnectFailed(Where, attempt);
            }

            Post(ReconnectFailed, () => Raise(ReconnectFailed, new SailsConnectionEventArgs(attempt, exception: error)));
        }
    }

    /// <summary>On the receive loop of a connection that ended (once per connection).</summary>
    private void OnConnectionLost(int generation, SocketIoDisconnectedException reason)
    {
        SocketIoClient? lost;
        List<QueuedRequest>? failed = null;
        lock (_gate)
        {
            if (_io is null || _ioGeneration != generation)
            {
                return;
            }

            lost = _io;
            _io = null;
            _flushing = false;
            var reconnect = _settings.Reconnection.Enabled
                && _state == SailsSocketState.Connected
                && reason.Reason is SocketIoDisconnectReason.TransportClose or SocketIoDisconnectReason.PingTimeout or SocketIoDisconnectReason.ProtocolError;
            if (reconnect)
            {
                StartConnectLoop(firstAttempt: 1);
            }
            else if (_state != SailsSocketState.Closed)
            {
                _state = SailsSocketState.Disconnected;
                failed = DrainQueue();
            }
        }

        if (SailsEventSource.Log.IsEnabled())
        {
            SailsEventSource.Log.Disconnected(Where, reason.Reason.ToString());
        }

        Post(Disconnected, () => RaiseDisconnected(reason));
        if (failed is not null)
        {
            FailQueued(failed, new SailsConnectionException("The socket disconnected before the request could be sent.", reason));
        }

        // Releases the old connection's resources; the loop that called us has finished its work.
        _ = Task.Run(() => lost.DisposeAsync().AsTask());
    }

    /// <summary>The server, for diagnostics: scheme, host and port only (never the query, which may carry credentials).</summary>
    private string Where => SafeDescription.Origin(_settings.Url);

    private static void Fault(TaskCompletionSource done, Exception error)
    {
        if (done.TrySetException(error))
        {
            // A background connect may have no one waiting for it: do not report the fault as unobserved.
            _ = done.Task.Exception;
        }
    }
}
