using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using SailSocket.Connection;
using SailSocket.Internal;

namespace SailSocket.Requests;

/// <summary>
/// Decides, for each request, whether it goes straight out on the open connection or waits, and keeps the waiting ones:
/// in the order they were made, each within its deadline and cancellable, sent exactly once when the connection opens.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>It locks on itself (an internal object nobody else can reach: one object less per socket), and that lock is
/// taken last: the connection supervisor changes the mode under its lock; nothing here calls out
/// under this one.</item>
/// <item>The gate opens for one <see cref="LiveConnection"/> only after everything queued before it has been started on
/// it, so a request made after the connect never overtakes one made before.</item>
/// <item>A socket that never queues holds no list and no timer.</item>
/// </list>
/// </remarks>
internal sealed class RequestQueue(int maxQueued, TimeProvider time)
{
    private Mode _mode = Mode.Rejecting;

    /// <summary>The connection being flushed to, or open; null otherwise.</summary>
    private LiveConnection? _live;

    /// <summary>Waiting requests in ascending <see cref="QueuedRequest.Sequence"/>; created by the first.</summary>
    private List<QueuedRequest>? _items;
    private long _nextSequence;

    private enum Mode
    {
        /// <summary>Not connected and not connecting: a request fails at once.</summary>
        Rejecting,

        /// <summary>Connecting or reconnecting: requests wait.</summary>
        Holding,

        /// <summary>Connected, the waiting requests being started in order: new ones still wait behind them.</summary>
        Flushing,

        /// <summary>Connected and flushed: requests go straight out.</summary>
        Open,

        /// <summary>The socket is disposed.</summary>
        Closed,
    }

    /// <summary>How many requests wait.</summary>
    public int Count
    {
        get
        {
            lock (this)
            {
                return _items?.Count ?? 0;
            }
        }
    }

    /// <summary>The connection to send on directly, or <see langword="null"/> when requests must go through <see cref="EnqueueUnlessOpen"/>.</summary>
    public LiveConnection? TryGetOpen()
    {
        lock (this)
        {
            return _mode == Mode.Open ? _live : null;
        }
    }

    /// <summary>Queues a request, unless the gate has opened meanwhile.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The open connection to send on instead, or <see langword="null"/> when queued.</returns>
    /// <exception cref="SailsConnectionException">The socket is not connected and not connecting.</exception>
    /// <exception cref="SailsLimitExceededException"><see cref="SailsClientOptions.MaxQueuedRequests"/> requests already wait.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    public LiveConnection? EnqueueUnlessOpen(QueuedRequest request)
    {
        lock (this)
        {
            switch (_mode)
            {
                case Mode.Open:
                    return _live;
                case Mode.Closed:
                    throw new ObjectDisposedException(nameof(SailsSocket));
                case Mode.Rejecting:
                    throw new SailsConnectionException($"{SafeDescription.Request(request.Method, request.Url)} was not sent: the socket is not connected (call ConnectAsync, or enable reconnection).");
            }

            var waiting = _items?.Count ?? 0;
            if (waiting >= maxQueued)
            {
                throw new SailsLimitExceededException(
                    $"{SafeDescription.Request(request.Method, request.Url)} was refused: the socket is not connected and {waiting} requests already wait (SailsClientOptions.MaxQueuedRequests).",
                    nameof(SailsClientOptions.MaxQueuedRequests),
                    maxQueued);
            }

            request.Sequence = _nextSequence++;
            Insert(request);
        }

        request.Arm(this, time);
        return null;
    }

    /// <summary>
    /// Queues a request whose send found <paramref name="lost"/> dead before the socket noticed: with reconnection on it
    /// waits for the next connection instead of failing.
    /// </summary>
    /// <returns>Whether it was queued.</returns>
    public bool TryEnqueueAfterLoss(QueuedRequest request, LiveConnection lost, bool reconnectionEnabled)
    {
        lock (this)
        {
            var waits = _mode is Mode.Holding or Mode.Flushing || (_mode == Mode.Open && ReferenceEquals(_live, lost) && reconnectionEnabled);
            if (!waits || (_items?.Count ?? 0) >= maxQueued)
            {
                return false;
            }

            request.Sequence = _nextSequence++;
            Insert(request);
        }

        request.Arm(this, time);
        return true;
    }

    /// <summary>Connecting: requests wait.</summary>
    public void Hold() => SetMode(Mode.Holding, null);

    /// <summary>Connected to <paramref name="connection"/>: requests still wait until <see cref="Flush"/> has started the queued ones.</summary>
    public void BeginFlush(LiveConnection connection) => SetMode(Mode.Flushing, connection);

    /// <summary>Not connecting any more: every waiting request fails with <paramref name="error"/>, and new ones fail at once.</summary>
    public void Reject(Exception error) => FailAll(Mode.Rejecting, error);

    /// <summary>Disposed: every waiting request fails with <paramref name="error"/>, and new ones throw <see cref="ObjectDisposedException"/>.</summary>
    public void Close(Exception error) => FailAll(Mode.Closed, error);

    /// <summary>
    /// Starts everything queued on <paramref name="connection"/>, in order, then opens the gate to it. Stops (leaving the rest
    /// queued) when the connection is lost meanwhile.
    /// </summary>
    public void Flush(LiveConnection connection)
    {
        while (true)
        {
            List<QueuedRequest> batch;
            lock (this)
            {
                if (_mode != Mode.Flushing || !ReferenceEquals(_live, connection))
                {
                    return;
                }

                if (_items is not { Count: > 0 })
                {
                    _mode = Mode.Open;
                    return;
                }

                batch = _items;
                _items = null;
            }

            var now = time.GetTimestamp();
            foreach (var request in batch)
            {
                // Started in order: each emit is written and queued on the connection's send queue (FIFO) before the next.
                _ = SendAsync(request, connection, now);
            }
        }
    }

    /// <summary>The deadline timer of a waiting request fired.</summary>
    internal void Expire(QueuedRequest request)
    {
        if (Remove(request))
        {
            request.Fail(Timeout(request));
        }
    }

    /// <summary>The caller of a waiting request cancelled it.</summary>
    internal void Cancel(QueuedRequest request)
    {
        if (Remove(request))
        {
            request.Cancel();
        }
    }

    private async Task SendAsync(QueuedRequest request, LiveConnection connection, long now)
    {
        if (!request.Start())
        {
            return;
        }

        try
        {
            var remaining = request.Deadline == long.MaxValue ? System.Threading.Timeout.InfiniteTimeSpan : time.GetElapsedTime(now, request.Deadline);
            if (remaining <= TimeSpan.Zero && remaining != System.Threading.Timeout.InfiniteTimeSpan)
            {
                throw Timeout(request);
            }

            request.Complete(await request.Send(connection, remaining, request.Token).ConfigureAwait(false));
        }
        catch (SailsConnectionException ex) when (!ex.RequestMayHaveBeenProcessed && TryRequeue(request))
        {
            // Never sent: it waits for the next connection, keeping its place.
        }
#pragma warning disable CA1031 // Every outcome goes to the caller's task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            request.Fail(ex);
        }
    }

    /// <summary>Puts a request back in its place after a send that never reached the wire; false if no connection is coming.</summary>
    private bool TryRequeue(QueuedRequest request)
    {
        lock (this)
        {
            if (_mode is not (Mode.Holding or Mode.Flushing))
            {
                return false;
            }

            Insert(request);
        }

        request.Arm(this, time);
        return true;
    }

    private void SetMode(Mode mode, LiveConnection? connection)
    {
        lock (this)
        {
            if (_mode != Mode.Closed)
            {
                _mode = mode;
                _live = connection;
            }
        }
    }

    private void FailAll(Mode mode, Exception error)
    {
        List<QueuedRequest>? failed;
        lock (this)
        {
            if (_mode != Mode.Closed)
            {
                _mode = mode;
            }

            _live = null;
            failed = _items;
            _items = null;
        }

        foreach (var request in failed ?? [])
        {
            request.Fail(error);
        }
    }

    /// <summary>Puts a request in its place; under the lock.</summary>
    private void Insert(QueuedRequest request)
    {
        var items = _items ??= [];
        var index = items.Count;
        while (index > 0 && items[index - 1].Sequence > request.Sequence)
        {
            index--;
        }

        items.Insert(index, request);
    }

    private bool Remove(QueuedRequest request)
    {
        lock (this)
        {
            return _items?.Remove(request) ?? false;
        }
    }

    private static SailsTimeoutException Timeout(QueuedRequest request) =>
        new($"No response to {SafeDescription.Request(request.Method, request.Url)} within {request.Timeout.TotalMilliseconds:0} ms: the socket did not connect in time, so it was never sent.");
}
