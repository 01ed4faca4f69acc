using System;
using System.Collections.Concurrent;
using System.Threading;

namespace SailSocket.Internal;

/// <summary>
/// Runs work items one at a time, in the order posted, on the thread pool: user handlers never run on a receive loop,
/// and one socket's events keep their order. Schedules itself only while it has work, so an idle socket holds no thread
/// or task.
/// </summary>
/// <typeparam name="T">The work item.</typeparam>
/// <remarks><see cref="Post"/> is thread-safe. The handler must not throw.</remarks>
internal sealed class SerialDispatcher<T> : IThreadPoolWorkItem
{
    private readonly ISerialHandler<T> _handler;

    /// <summary>Created by the first post: a ConcurrentQueue starts with a segment of 32 slots (~1 KB here), which a
    /// socket that never receives an event should not pay for when a harness holds thousands of them.</summary>
    private ConcurrentQueue<T>? _queue;

    /// <summary>1 while a thread-pool item is queued or draining.</summary>
    private int _scheduled;

    /// <summary>Items posted and not yet handled.</summary>
    private int _pending;

    /// <summary>Creates a dispatcher that hands items to its owner (no delegate held).</summary>
    /// <param name="handler">Handles the items.</param>
    public SerialDispatcher(ISerialHandler<T> handler)
    {
        _handler = handler;
    }

    /// <summary>Creates a dispatcher that hands items to a delegate.</summary>
    /// <param name="handle">Handles the items.</param>
    public SerialDispatcher(Action<T> handle)
        : this(new ActionHandler(handle))
    {
    }

    /// <summary>How many items wait to be handled.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public void Post(T item)
    {
        Interlocked.Increment(ref _pending);
        var queue = Volatile.Read(ref _queue) ?? Interlocked.CompareExchange(ref _queue, new ConcurrentQueue<T>(), null) ?? _queue!;
        queue.Enqueue(item);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        // Only scheduled by Post, after it created the queue.
        var queue = Volatile.Read(ref _queue)!;
        while (true)
        {
            while (queue.TryDequeue(out var item))
            {
                Interlocked.Decrement(ref _pending);
                _handler.Handle(item);
            }

            // A full fence: the reset must be visible before the queue is looked at again, or a Post in between could
            // see _scheduled == 1, not schedule, and strand its item.
            Interlocked.Exchange(ref _scheduled, 0);

            // An item posted between the last dequeue and the reset found _scheduled == 1 and did not schedule: take it.
            if (queue.IsEmpty || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private sealed class ActionHandler(Action<T> handle) : ISerialHandler<T>
    {
        public void Handle(T item) => handle(item);
    }
}
