using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace SailSocket.SocketIo.Internal;

/// <summary>
/// An emit waiting for its ack: completed, failed, timed out or cancelled exactly once, and removed from the table on
/// every path. Pooled by an <see cref="AckWaiterPool"/>: one instance serves many emits, of any connection, one at a time.
/// </summary>
/// <remarks>
/// <para>Ownership: whoever removes the waiter from the table (the ack, the timer, cancellation, <see cref="AckTable.Close"/>)
/// is the only one allowed to complete it; the one awaiter reads the result once (<see cref="GetResult"/>), which is
/// what returns the waiter to the pool. Before that the cancellation registration is disposed (waiting for a callback
/// that is running), so nothing from the old emit can touch the waiter once it serves the next one.</para>
/// <para>Continuations run asynchronously: the receive loop and the timer never run a caller's code, except through
/// <see cref="CompleteInline"/>, which <see cref="AckHandoff"/> calls once the loop has moved on to a pending receive.</para>
/// </remarks>
internal sealed class PendingAck : IValueTaskSource<SocketIoAck>
{
    private readonly AckWaiterPool _pool;

    /// <summary>The table of the emit this waiter serves; <see langword="null"/> while pooled.</summary>
    private AckTable? _table;
    private ManualResetValueTaskSourceCore<SocketIoAck> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;

    /// <summary>1 once this emit's waiter has been completed: a second completion is ignored instead of corrupting the core.</summary>
    private int _completed;

    public PendingAck(AckWaiterPool pool) => _pool = pool;

    public int Id { get; private set; }

    /// <summary>Timestamp after which the ack counts as lost.</summary>
    public long Deadline { get; private set; }

    public TimeSpan Timeout { get; private set; }

    /// <summary>Whether this emit's waiter has been completed (with a result or an error).</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>The token of this emit's wait; it changes when the waiter is returned to the pool.</summary>
    internal short Version => _core.Version;

    /// <summary>The state of this emit's wait (tests).</summary>
    internal ValueTaskSourceStatus Status => _core.GetStatus(_core.Version);

    /// <summary>Gives the waiter to a table for one emit, or takes it back (<see langword="null"/>); only the pool calls this.</summary>
    public void Bind(AckTable? table) => _table = table;

    /// <summary>Readies the waiter for one emit; called by the table under its lock on a waiter nobody else holds.</summary>
    public void Prepare(int id, long deadline, TimeSpan timeout)
    {
        Id = id;
        Deadline = deadline;
        Timeout = timeout;
        Volatile.Write(ref _completed, 0);
    }

    /// <summary>The one wait for this emit's ack. Await it once; reading the result returns the waiter to the pool.</summary>
    public ValueTask<SocketIoAck> AsValueTask() => new(this, _core.Version);

    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PendingAck)state!).Cancel(token), this);
        }
    }

    public void Complete(SocketIoAck ack)
    {
        if (TryBeginCompletion())
        {
            _core.SetResult(ack);
        }
    }

    /// <summary>
    /// Completes with <paramref name="ack"/> and runs the awaiter's continuation on this thread (or posts it to the
    /// awaiter's context); only <see cref="AckHandoff"/> calls this, on a thread the receive loop has let go of.
    /// </summary>
    public void CompleteInline(SocketIoAck ack)
    {
        if (TryBeginCompletion())
        {
            // Back to true in Release, before the waiter can serve another emit.
            _core.RunContinuationsAsynchronously = false;
            _core.SetResult(ack);
        }
    }

    public void Fail(Exception error)
    {
        if (TryBeginCompletion())
        {
            _core.SetException(error);
        }
    }

    /// <summary>
    /// Gives up a waiter whose emit could not be sent; the caller reports the send error instead and never awaits it.
    /// </summary>
    public void Abandon()
    {
        if (_table!.Remove(this))
        {
            // Nobody else can complete it now: back to the pool without a result.
            Release();
        }

        // Otherwise whoever removed it (connection lost, timer, cancellation) completes it; nobody reads the result,
        // so it never goes back to the pool and the GC takes it. An unread ManualResetValueTaskSourceCore error is not
        // reported anywhere, unlike a Task's.
    }

    SocketIoAck IValueTaskSource<SocketIoAck>.GetResult(short token) => GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<SocketIoAck>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<SocketIoAck>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>Reads the result (or throws the error) once, then returns the waiter to the pool.</summary>
    private SocketIoAck GetResult(short token)
    {
        if (token != _core.Version)
        {
            throw new InvalidOperationException("The ack waiter was read twice or after reuse.");
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    private void Release()
    {
        // Waits for a cancellation callback that is running right now: after this, no callback of this emit can run.
        _cancellation.Dispose();
        _cancellation = default;
        _core.Reset();
        _core.RunContinuationsAsynchronously = true;
        _pool.Return(this);
    }

    private bool TryBeginCompletion()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        _cancellation.Unregister();
        return true;
    }

    private void Cancel(CancellationToken token)
    {
        // Registered only while the waiter serves an emit, and disposed before it goes back to the pool.
        if (_table!.Remove(this))
        {
            Fail(new OperationCanceledException(token));
        }
    }
}
