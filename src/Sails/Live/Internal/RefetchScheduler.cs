using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Live.Internal;

/// <summary>
/// Runs a live collection's refetches: at most one in flight and one waiting, each started <c>delay</c> after it was
/// first asked for (on the collection's <see cref="TimeProvider"/>), so that any number of requests in between cost
/// one fetch. A failed fetch is tried again after <c>retryDelay</c>.
/// </summary>
/// <remarks>Thread-safe. Holds a timer only while a fetch is due.</remarks>
internal sealed class RefetchScheduler : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _delay;
    private readonly TimeSpan _retryDelay;
    private readonly Func<CancellationToken, Task> _fetch;
    private readonly Action<Exception> _onError;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>The timer of the fetch that is due; null when none is.</summary>
    private ITimer? _timer;

    /// <summary>The fetch in flight; null when none is.</summary>
    private Task? _running;

    /// <summary>Whether another fetch was asked for while one was in flight: it runs after, once.</summary>
    private bool _pending;

    /// <summary>Callers of <see cref="RunAsync"/> waiting for the next fetch to start.</summary>
    private List<TaskCompletionSource>? _waitingForNext;
    private bool _disposed;
    private long _runs;

    public RefetchScheduler(TimeProvider time, TimeSpan delay, TimeSpan retryDelay, Func<CancellationToken, Task> fetch, Action<Exception> onError)
    {
        _time = time;
        _delay = delay;
        _retryDelay = retryDelay;
        _fetch = fetch;
        _onError = onError;
    }

    /// <summary>How many fetches have started.</summary>
    public long RunCount => Interlocked.Read(ref _runs);

    /// <summary>Whether a fetch is due or in flight.</summary>
    public bool IsBusy
    {
        get
        {
            lock (_gate)
            {
                return _timer is not null || _running is not null || _pending;
            }
        }
    }

    /// <summary>Asks for a fetch: one starts after the delay unless one is already due; one in flight gets one successor.</summary>
    public void Request() => Request(_delay);

    /// <summary>Asks for a fetch and waits for one that starts after this call to end.</summary>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed before that fetch ended.</exception>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.FromException(new ObjectDisposedException(nameof(LiveCollection<object>)));
            }

            (_waitingForNext ??= []).Add(waiter);
        }

        Request(TimeSpan.Zero);
        return waiter.Task.WaitAsync(cancellationToken);
    }

    private void Request(TimeSpan delay)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_running is not null)
            {
                _pending = true;
                return;
            }

            if (_timer is not null)
            {
                if (delay == TimeSpan.Zero)
                {
                    _timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                }

                return;
            }

            _timer = _time.CreateTimer(static state => ((RefetchScheduler)state!).OnDue(), this, delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnDue()
    {
        List<TaskCompletionSource>? waiters;
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            if (_disposed || _running is not null)
            {
                return;
            }

            waiters = _waitingForNext;
            _waitingForNext = null;
            _runs++;
            _running = RunOneAsync(waiters);
        }
    }

    private async Task RunOneAsync(List<TaskCompletionSource>? waiters)
    {
        await Task.Yield(); // never run a fetch on the timer's (or the caller's) thread
        Exception? error = null;
        try
        {
            await _fetch(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        var retry = false;
        lock (_gate)
        {
            _running = null;
            if (!_disposed)
            {
                retry = error is not null && error is not ObjectDisposedException;
                if (_pending || retry)
                {
                    _pending = false;
                    _timer = _time.CreateTimer(static state => ((RefetchScheduler)state!).OnDue(), this, retry ? _retryDelay : _delay, Timeout.InfiniteTimeSpan);
                }
            }
        }

        if (error is not null && !_stop.IsCancellationRequested)
        {
            _onError(error);
        }

        if (waiters is not null)
        {
            foreach (var waiter in waiters)
            {
                if (error is null)
                {
                    waiter.TrySetResult();
                }
                else
                {
                    Fail(waiter, error);
                }
            }
        }
    }

    /// <summary>Stops: cancels the fetch in flight and waits for it to end; waiters fail with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? running;
        List<TaskCompletionSource>? waiters;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _pending = false;
            _timer?.Dispose();
            _timer = null;
            running = _running;
            waiters = _waitingForNext;
            _waitingForNext = null;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (running is not null)
        {
            await running.ConfigureAwait(false); // RunOneAsync never throws
        }

        if (waiters is not null)
        {
            foreach (var waiter in waiters)
            {
                Fail(waiter, new ObjectDisposedException(nameof(LiveCollection<object>)));
            }
        }

        _stop.Dispose();
    }

    /// <summary>
    /// Fails a waiter and marks its error observed: a caller whose token ended the wait (<see cref="RunAsync"/> hands out
    /// <c>WaitAsync</c>'s task, not this one) never reads it, and it must not surface as an unobserved task exception.
    /// Whoever still awaits it gets the error as before.
    /// </summary>
    private static void Fail(TaskCompletionSource waiter, Exception error)
    {
        if (waiter.TrySetException(error))
        {
            _ = waiter.Task.Exception;
        }
    }
}
