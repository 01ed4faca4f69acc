using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Internal;
using SailSocket.SocketIo;

namespace SailSocket;

/// <content>
/// The request queue: requests made while the socket connects or reconnects wait here, in order, and are sent exactly
/// once when it connects. Each keeps its deadline (checked on the shared timer's ticks) and its cancellation.
/// </content>
public sealed partial class SailsSocket
{
    /// <summary>
    /// Queued requests in the order they were made (ascending <see cref="QueuedRequest.Sequence"/>); under <see cref="_gate"/>.
    /// Created by the first queued request and handed over whole when drained: a socket that never queues holds no list.
    /// </summary>
    private List<QueuedRequest>? _queue;
    private long _nextSequence;

    /// <summary>The earliest deadline in the queue, so that a tick with nothing due costs one comparison.</summary>
    private long _earliestQueueDeadline = long.MaxValue;

    /// <summary>Queues a request; under the lock.</summary>
    /// <exception cref="SailsConnectionException">The queue is full.</exception>
    private QueuedRequest Enqueue(string method, string url, TimeSpan timeout, Func<SocketIoClient, TimeSpan, CancellationToken, ValueTask<SailsResponse>> send, CancellationToken cancellationToken)
    {
        var waiting = _queue?.Count ?? 0;
        if (waiting >= _owner.Options.MaxQueuedRequests)
        {
            throw new SailsConnectionException($"{SafeDescription.Request(method, url)} was refused: the socket is not connected and {waiting} requests already wait (SailsClientOptions.MaxQueuedRequests).");
        }

        var request = new QueuedRequest(_nextSequence++, method, url, timeout, _owner.Timer.GetDeadline(timeout), send, cancellationToken);
        Insert(request);
        return request;
    }

    /// <summary>Puts a request back in its place after a send that never reached the wire; false if the socket will not connect again.</summary>
    private bool TryRequeue(QueuedRequest request)
    {
        lock (_gate)
        {
            if (_state is not (SailsSocketState.Connecting or SailsSocketState.Reconnecting) && !_flushing)
            {
                return false;
            }

            Insert(request);
        }

        request.WatchCancellation(this);
        return true;
    }

    /// <summary>Puts a request in its place; under the lock.</summary>
    /// <exception cref="ObjectDisposedException">The client is disposed (its timer with it).</exception>
    private void Insert(QueuedRequest request)
    {
        if (_timerRegistration is null && Volatile.Read(ref _disposed) == 0)
        {
            _timerRegistration = _owner.Timer.Register(this);
        }

        var queue = _queue ??= [];
        var index = queue.Count;
        while (index > 0 && queue[index - 1].Sequence > request.Sequence)
        {
            index--;
        }

        queue.Insert(index, request);
        if (request.Deadline < _earliestQueueDeadline)
        {
            Volatile.Write(ref _earliestQueueDeadline, request.Deadline);
        }
    }

    /// <summary>Takes every queued request out; under the lock.</summary>
    private List<QueuedRequest> DrainQueue()
    {
        var drained = _queue ?? [];
        _queue = null;
        Volatile.Write(ref _earliestQueueDeadline, long.MaxValue);
        return drained;
    }

    private static void FailQueued(List<QueuedRequest> requests, Exception error)
    {
        foreach (var request in requests)
        {
            request.Fail(error);
        }
    }

    /// <summary>Sends everything queued before <paramref name="io"/> connected, in order, then lets requests go straight out.</summary>
    private void FlushQueue(SocketIoClient io)
    {
        while (true)
        {
            List<QueuedRequest> batch;
            lock (_gate)
            {
                if (!ReferenceEquals(_io, io))
                {
                    // Lost again meanwhile: what is still queued waits for the next connection.
                    return;
                }

                if (_queue is not { Count: > 0 })
                {
                    _flushing = false;
                    return;
                }

                batch = DrainQueue();
            }

            var now = _owner.Options.TimeProvider.GetTimestamp();
            foreach (var request in batch)
            {
                // Started in order: each emit is written and queued on the connection's send lock (FIFO) before the next.
                _ = SendQueuedAsync(request, io, now);
            }
        }
    }

    private async Task SendQueuedAsync(QueuedRequest request, SocketIoClient io, long now)
    {
        if (!request.Start())
        {
            return;
        }

        try
        {
            var remaining = request.Deadline == long.MaxValue
                ? Timeout.InfiniteTimeSpan
                : _owner.Options.TimeProvider.GetElapsedTime(now, request.Deadline);
            if (remaining <= TimeSpan.Zero && remaining != Timeout.InfiniteTimeSpan)
            {
                throw QueuedTimeout(request);
            }

            request.Complete(await request.Send(io, remaining, request.Token).ConfigureAwait(false));
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

    private void ExpireQueuedRequests(long timestamp)
    {
        if (timestamp < Volatile.Read(ref _earliestQueueDeadline))
        {
            return;
        }

        List<QueuedRequest>? expired = null;
        lock (_gate)
        {
            var earliest = long.MaxValue;
            var queue = _queue ?? [];
            for (var i = queue.Count - 1; i >= 0; i--)
            {
                var request = queue[i];
                if (request.Deadline <= timestamp)
                {
                    (expired ??= []).Add(request);
                    queue.RemoveAt(i);
                }
                else if (request.Deadline < earliest)
                {
                    earliest = request.Deadline;
                }
            }

            Volatile.Write(ref _earliestQueueDeadline, earliest);
        }

        if (expired is not null)
        {
            foreach (var request in expired)
            {
                request.Fail(QueuedTimeout(request));
            }
        }
    }

    private void CancelQueued(QueuedRequest request)
    {
        bool removed;
        lock (_gate)
        {
            removed = _queue?.Remove(request) ?? false;
        }

        if (removed)
        {
            request.Cancel();
        }
    }

    private static SailsTimeoutException QueuedTimeout(QueuedRequest request) =>
        new($"No response to {SafeDescription.Request(request.Method, request.Url)} within {request.Timeout.TotalMilliseconds:0} ms: the socket did not connect in time, so it was never sent.");

    /// <summary>A request waiting for the socket to connect.</summary>
    private sealed class QueuedRequest(long sequence, string method, string url, TimeSpan timeout, long deadline, Func<SocketIoClient, TimeSpan, CancellationToken, ValueTask<SailsResponse>> send, CancellationToken token)
    {
        private readonly TaskCompletionSource<SailsResponse> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private CancellationTokenRegistration _registration;
        private int _started;

        public long Sequence { get; } = sequence;

        public string Method { get; } = method;

        public string Url { get; } = url;

        public TimeSpan Timeout { get; } = timeout;

        public long Deadline { get; } = deadline;

        public Func<SocketIoClient, TimeSpan, CancellationToken, ValueTask<SailsResponse>> Send { get; } = send;

        public CancellationToken Token { get; } = token;

        public Task<SailsResponse> Task => _completion.Task;

        /// <summary>Starts watching the caller's token; outside the lock (the callback may run at once).</summary>
        public void WatchCancellation(SailsSocket socket)
        {
            Interlocked.Exchange(ref _started, 0);
            if (Token.CanBeCanceled)
            {
                _registration = Token.UnsafeRegister(static (state, _) => { var (s, r) = ((SailsSocket, QueuedRequest))state!; s.CancelQueued(r); }, (socket, this));
            }
        }

        /// <summary>Leaves the queue for the wire; false when it was already completed.</summary>
        public bool Start()
        {
            _registration.Unregister();
            return Interlocked.Exchange(ref _started, 1) == 0 && !_completion.Task.IsCompleted;
        }

        public void Complete(SailsResponse response) => _completion.TrySetResult(response);

        public void Fail(Exception error)
        {
            _registration.Unregister();
            _completion.TrySetException(error);
        }

        public void Cancel()
        {
            _registration.Unregister();
            _completion.TrySetCanceled(Token);
        }
    }
}
