using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Testing.Recording;

/// <summary>
/// A thread-safe, bounded record of what the server saw (requests, new connections), with waits on what arrives next:
/// beyond its capacity the oldest entry goes and is counted, so memory stays bounded however long a test runs.
/// </summary>
/// <typeparam name="T">What is recorded.</typeparam>
internal sealed class BoundedLog<T>
    where T : class
{
    private readonly object _gate = new();
    private readonly Queue<T> _items = new();
    private readonly List<Waiter> _waiters = [];
    private readonly int _capacity;
    private readonly bool _consume;
    private long _dropped;

    /// <param name="capacity">The most entries kept.</param>
    /// <param name="consume">Whether a wait takes the entry it returns out of the log (a queue of new connections) or leaves it (a record).</param>
    public BoundedLog(int capacity, bool consume)
    {
        _capacity = capacity;
        _consume = consume;
    }

    /// <summary>How many entries were dropped because the log was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Add(T item)
    {
        Waiter? served = null;
        lock (_gate)
        {
            for (var i = 0; i < _waiters.Count; i++)
            {
                bool matches;
                try
                {
                    matches = _waiters[i].Predicate(item);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A test's predicate that throws fails that test's wait, not the server.
                    _waiters[i].Completion.TrySetException(ex);
                    _waiters.RemoveAt(i--);
                    continue;
                }

                if (matches)
                {
                    served = _waiters[i];
                    _waiters.RemoveAt(i);
                    break;
                }
            }

            if (served is null || !_consume)
            {
                if (_items.Count == _capacity)
                {
                    _items.Dequeue();
                    Interlocked.Increment(ref _dropped);
                }

                _items.Enqueue(item);
            }
        }

        served?.Completion.TrySetResult(item);
    }

    public T[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _items.Clear();
        }
    }

    /// <summary>
    /// The first entry (already there, or arriving) that matches, within <paramref name="timeout"/> of real time: a bound on
    /// the test, not a protocol timeout, so it never reads the server's (possibly fake) clock.
    /// </summary>
    public async Task<T> WaitAsync(Func<T, bool> predicate, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_gate)
        {
            foreach (var item in _items)
            {
                if (predicate(item))
                {
                    if (_consume)
                    {
                        Remove(item);
                    }

                    return item;
                }
            }

            waiter = new Waiter(predicate, new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously));
            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Completion.Task.WaitAsync(timeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No {what} within {timeout.TotalSeconds:0.###} s.");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    private void Remove(T item)
    {
        var kept = new Queue<T>(_items.Count);
        foreach (var existing in _items)
        {
            if (!ReferenceEquals(existing, item))
            {
                kept.Enqueue(existing);
            }
        }

        _items.Clear();
        foreach (var existing in kept)
        {
            _items.Enqueue(existing);
        }
    }

    private sealed record Waiter(Func<T, bool> Predicate, TaskCompletionSource<T> Completion);
}
