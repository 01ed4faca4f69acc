using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Engine.Transports;

/// <summary>
/// Serialises the messages of many senders onto one socket that allows one send at a time, without allocating per message.
/// The first sender writes at once; a sender that arrives while a write runs queues a pooled waiter, and whoever holds the
/// socket writes the queued messages, in order, before letting go. Each sender's task completes when its own message has
/// been written, with that write's error if it failed.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The caller's token only bounds the wait in the queue: a message whose write has started is not cancelled (a
/// cancelled WebSocket write aborts the socket).</item>
/// <item>A waiter's continuation runs asynchronously: the thread writing the queue never runs a sender's code.</item>
/// <item>When a write goes asynchronous (the socket's buffer is full), the rest of the queue is written when it finishes,
/// by the thread that finishes it.</item>
/// <item><see cref="AcquireAsync"/> takes the socket for something that is not a message (the close frame), after the
/// messages queued before it; <see cref="Release"/> gives it back.</item>
/// <item>Each message may carry a deadline. The queue does not enforce it (a started write cannot be withdrawn); the
/// connection asks <see cref="IsStalled"/> on each tick of its timer whether the socket has stopped taking data, and aborts it.</item>
/// </list>
/// </remarks>
internal sealed class SendQueue
{
    /// <summary>The most finished waiters kept for reuse.</summary>
    internal const int MaxPooled = 32;

    /// <summary>Guards the queue, the pool and <see cref="_busy"/>; the queue itself (internal, never locked elsewhere), to save an object per socket.</summary>
    private readonly object _gate;
    private readonly ISendTarget _target;

    /// <summary>Whether someone holds the socket: a write is running, the queue is being written, or an acquirer has it.</summary>
    private bool _busy;
    private SendWaiter? _head;
    private SendWaiter? _tail;

    /// <summary>Finished waiters for reuse, linked through <see cref="SendWaiter.Next"/>; at most <see cref="MaxPooled"/>.</summary>
    private SendWaiter? _pool;
    private int _pooledCount;

    /// <summary>How many times the socket changed hands (a write started, an acquirer took it): progress, for <see cref="IsStalled"/>.</summary>
    private long _turns;

    /// <summary>The deadline of the message being written; <see cref="long.MaxValue"/> for none.</summary>
    private long _writeDeadline = long.MaxValue;

    /// <summary>
    /// Messages gathered into the open batch (<see cref="ISendTarget.BeginBatch"/>), linked through <see cref="SendWaiter.Next"/>
    /// in order: they complete when the batch's one network write does. <see langword="null"/>: no batch open.
    /// </summary>
    private SendWaiter? _batchFirst;
    private SendWaiter? _batchLast;

    /// <summary>The earliest deadline in the open batch: the batch's write carries it for <see cref="IsStalled"/>.</summary>
    private long _batchDeadline = long.MaxValue;

    /// <summary>The turn <see cref="IsStalled"/> saw last, and since when; only the timer tick touches these (under the lock).</summary>
    private long _watchedTurn;
    private long _watchedSince;

    /// <summary>Creates a queue in front of a socket.</summary>
    /// <param name="target">Writes one message (and the binary messages that follow it); called by one thread at a time.</param>
    public SendQueue(ISendTarget target)
    {
        _target = target;
        _gate = this;
    }

    /// <summary>
    /// Turns a failed write's error into what its sender sees (and may end the connection); <see langword="null"/> passes
    /// errors as they are. May be set while the queue is in use (the upgrade sets it when the connection adopts the
    /// socket): an error is mapped with the value read when it is reported. The queue's own cancellations are not mapped.
    /// </summary>
    public ISendErrorMap? MapError { get; set; }

    /// <summary>How many waiters this queue has created (tests: reuse keeps it small).</summary>
    internal int CreatedCount { get; private set; }

    /// <summary>How many messages wait for the socket (tests).</summary>
    internal int QueuedCount
    {
        get
        {
            lock (_gate)
            {
                var count = 0;
                for (var waiter = _head; waiter is not null; waiter = waiter.Next)
                {
                    count++;
                }

                return count;
            }
        }
    }

    /// <summary>Writes a message now, or queues it behind the messages before it.</summary>
    /// <param name="text">The message; the caller keeps it valid until the returned task completes.</param>
    /// <param name="binary">Binary messages to write right after it, or <see langword="null"/>.</param>
    /// <param name="deadline">Timestamp by which the message should be written (<see cref="long.MaxValue"/>: none); read by <see cref="IsStalled"/>.</param>
    /// <param name="cancellationToken">Bounds the wait in the queue.</param>
    /// <returns>A task that completes when the message has been written; await it once.</returns>
    public ValueTask SendAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary, long deadline, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_busy)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return ValueTask.FromCanceled(cancellationToken);
                }

                return Enqueue(text, binary, acquire: false, deadline).Wait(cancellationToken);
            }

            _busy = true;
            _turns++;
            _writeDeadline = deadline;
        }

        // The socket is ours: write outside the lock, so that other senders can queue meanwhile.
        return WriteOwn(text, binary);
    }

    /// <summary>Takes the socket once the messages queued before this call have been written; give it back with <see cref="Release"/>.</summary>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when the caller holds the socket; await it once.</returns>
    public ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_busy)
            {
                _busy = true;
                _turns++;
                _writeDeadline = long.MaxValue;
                return default;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            return Enqueue(default, null, acquire: true, long.MaxValue).Wait(cancellationToken);
        }
    }

    /// <summary>Gives the socket back after <see cref="AcquireAsync"/>: queued messages are written, then it is free.</summary>
    public void Release() => WriteQueued();

    /// <summary>
    /// Whether the socket has stopped taking data: the same write (or acquirer) has held it since the previous call, and
    /// either it has held it for <paramref name="sendTimeout"/> ticks or longer, or a message waiting for the socket (the
    /// one being written or one queued behind it) has passed its deadline. Called on each tick of the connection's timer,
    /// so a holder is seen at most one tick after it took the socket; writes that keep completing are never stalled.
    /// </summary>
    /// <param name="now">The tick's timestamp.</param>
    /// <param name="sendTimeout">The longest one write may hold the socket, in timestamp ticks.</param>
    internal bool IsStalled(long now, long sendTimeout)
    {
        // An idle socket (the usual case on a tick) costs no lock. Nothing to reset: a new holder is a new turn.
        if (!Volatile.Read(ref _busy))
        {
            return false;
        }

        lock (_gate)
        {
            if (!_busy)
            {
                return false;
            }

            if (_turns != _watchedTurn)
            {
                _watchedTurn = _turns;
                _watchedSince = now;
                return false;
            }

            if (now - _watchedSince >= sendTimeout || _writeDeadline <= now)
            {
                return true;
            }

            for (var waiter = _head; waiter is not null; waiter = waiter.Next)
            {
                if (waiter.Deadline <= now)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Takes a waiter out of the queue if it is still there; under <see cref="_gate"/>.</summary>
    /// <returns>Whether it was queued (and so whoever removed it completes it).</returns>
    internal bool TryRemove(SendWaiter waiter)
    {
        lock (_gate)
        {
            if (!waiter.IsQueued)
            {
                return false;
            }

            Unlink(waiter);
            return true;
        }
    }

    /// <summary>Takes back a waiter whose one result has been read.</summary>
    internal void Return(SendWaiter waiter)
    {
        lock (_gate)
        {
            if (_pooledCount < MaxPooled)
            {
                waiter.Next = _pool;
                _pool = waiter;
                _pooledCount++;
            }
        }
    }

    /// <summary>The socket is ours: write this sender's message, then the queue.</summary>
    private ValueTask WriteOwn(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary)
    {
        var write = Start(text, binary);
        if (write.IsCompletedSuccessfully)
        {
            write.GetAwaiter().GetResult();
            WriteQueued();
            return default;
        }

        if (write.IsCompleted)
        {
            // It may have completed, successfully, just after the check above (a write that finished on another thread).
            var failure = ErrorOf(write);
            var error = failure is null ? null : Map(failure);
            WriteQueued();
            return error is null ? default : ValueTask.FromException(error);
        }

        return FinishOwnAsync(write);
    }

    private async ValueTask FinishOwnAsync(ValueTask write)
    {
        Exception? error = null;
        try
        {
            await write.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Rethrown below, once the queue has moved on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = Map(ex);
        }

        WriteQueued();
        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>
    /// Writes queued messages in order while they complete at once; gives the socket to a queued acquirer; frees the socket
    /// when the queue is empty. A write that goes asynchronous continues this when it finishes.
    /// </summary>
    /// <remarks>
    /// When the target can gather writes and more than one message waits, the messages are gathered (a batch opens at the
    /// first with another behind it) and leave in one network write once the queue is empty or an acquirer is next; their
    /// senders complete with that write. A lone message is written as it is: a batch never delays anything, it only forms
    /// from messages that queued while the socket was busy.
    /// </remarks>
    private void WriteQueued()
    {
        while (true)
        {
            SendWaiter? next;
            bool flush;
            bool batched;
            lock (_gate)
            {
                next = _head;
                flush = _batchFirst is not null && (next is null || next.IsAcquire);
                if (next is null && !flush)
                {
                    _busy = false;
                    _writeDeadline = long.MaxValue;
                    return;
                }

                _turns++;
                if (flush)
                {
                    _writeDeadline = _batchDeadline;
                    batched = false;
                }
                else
                {
                    batched = _batchFirst is not null || (next!.Next is not null && !next.IsAcquire && _target.CanBatch);
                    Unlink(next!);
                    _writeDeadline = next!.Deadline;
                }
            }

            if (flush)
            {
                var end = StartFlush();
                if (!end.IsCompleted)
                {
                    _ = FinishFlushAsync(end);
                    return;
                }

                CompleteBatch(ErrorOf(end));
                continue;
            }

            if (next!.IsAcquire)
            {
                // The socket passes to the acquirer as it is (still busy); its Release writes what queued behind it.
                next.Complete(null);
                return;
            }

            if (batched && _batchFirst is null)
            {
                _target.BeginBatch();
            }

            var write = Start(next.Text, next.Binary);
            if (!write.IsCompleted)
            {
                _ = FinishQueuedAsync(write, next, batched);
                return;
            }

            Finished(next, ErrorOf(write), batched);
        }
    }

    /// <summary>A queued message's write has ended: its sender completes now, or with the batch it joined.</summary>
    private void Finished(SendWaiter waiter, Exception? error, bool batched)
    {
        if (error is not null || !batched)
        {
            waiter.Complete(error is null ? null : Map(error));
            return;
        }

        lock (_gate)
        {
            waiter.Next = null;
            if (_batchLast is null)
            {
                _batchFirst = waiter;
            }
            else
            {
                _batchLast.Next = waiter;
            }

            _batchLast = waiter;
            _batchDeadline = Math.Min(_batchDeadline, waiter.Deadline);
        }
    }

    /// <summary>Ends the open batch: one network write of everything gathered.</summary>
    private ValueTask StartFlush()
    {
        try
        {
            return _target.EndBatchAsync();
        }
#pragma warning disable CA1031 // Reported to the batch's senders through their tasks.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException(ex);
        }
    }

    private async Task FinishFlushAsync(ValueTask flush)
    {
        Exception? error = null;
        try
        {
            await flush.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The write's error belongs to the batch's senders.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex;
        }

        CompleteBatch(error);
        WriteQueued();
    }

    /// <summary>Completes every sender of the batch with the outcome of its write, in order.</summary>
    private void CompleteBatch(Exception? error)
    {
        SendWaiter? waiter;
        lock (_gate)
        {
            waiter = _batchFirst;
            _batchFirst = null;
            _batchLast = null;
            _batchDeadline = long.MaxValue;
        }

        var mapped = error is null ? null : Map(error);
        while (waiter is not null)
        {
            // Read the link first: a completed waiter may go back to the pool and be reused at once.
            var following = waiter.Next;
            waiter.Next = null;
            waiter.Complete(mapped);
            waiter = following;
        }
    }

    private async Task FinishQueuedAsync(ValueTask write, SendWaiter waiter, bool batched)
    {
        Exception? error = null;
        try
        {
            await write.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The write's error belongs to the sender whose message it was.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex;
        }

        Finished(waiter, error, batched);
        WriteQueued();
    }

    /// <summary>Starts one write; an error thrown at once comes back as a faulted task.</summary>
    private ValueTask Start(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary)
    {
        try
        {
            return _target.WriteAsync(text, binary);
        }
#pragma warning disable CA1031 // Reported to the sender through its task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException(ex);
        }
    }

    private Exception Map(Exception error) => MapError?.Map(error) ?? error;

    private static Exception? ErrorOf(ValueTask completed)
    {
        try
        {
            completed.GetAwaiter().GetResult();
            return null;
        }
#pragma warning disable CA1031 // Reported to the sender through its task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex;
        }
    }

    /// <summary>Queues a waiter; under <see cref="_gate"/>.</summary>
    private SendWaiter Enqueue(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary, bool acquire, long deadline)
    {
        var waiter = _pool;
        if (waiter is not null)
        {
            _pool = waiter.Next;
            _pooledCount--;
        }
        else
        {
            waiter = new SendWaiter(this);
            CreatedCount++;
        }

        waiter.Prepare(text, binary, acquire, deadline);
        waiter.Prev = _tail;
        waiter.Next = null;
        if (_tail is null)
        {
            _head = waiter;
        }
        else
        {
            _tail.Next = waiter;
        }

        _tail = waiter;
        return waiter;
    }

    /// <summary>Takes a queued waiter out of the list; under <see cref="_gate"/>.</summary>
    private void Unlink(SendWaiter waiter)
    {
        if (waiter.Prev is null)
        {
            _head = waiter.Next;
        }
        else
        {
            waiter.Prev.Next = waiter.Next;
        }

        if (waiter.Next is null)
        {
            _tail = waiter.Prev;
        }
        else
        {
            waiter.Next.Prev = waiter.Prev;
        }

        waiter.Prev = null;
        waiter.Next = null;
        waiter.IsQueued = false;
    }
}
