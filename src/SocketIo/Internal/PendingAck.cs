using System;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.SocketIo.Internal;

/// <summary>An emit waiting for its ack: completed, failed, timed out or cancelled exactly once, and removed from the table on every path.</summary>
internal sealed class PendingAck
{
    private readonly AckTable _table;
    private CancellationTokenRegistration _cancellation;

    public PendingAck(AckTable table, int id, long deadline, TimeSpan timeout)
    {
        _table = table;
        Id = id;
        Deadline = deadline;
        Timeout = timeout;
    }

    public int Id { get; }

    /// <summary>Timestamp after which the ack counts as lost.</summary>
    public long Deadline { get; }

    public TimeSpan Timeout { get; }

    public TaskCompletionSource<SocketIoAck> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PendingAck)state!).Cancel(token), this);
        }
    }

    public void Complete(SocketIoAck ack)
    {
        _cancellation.Unregister();
        Completion.TrySetResult(ack);
    }

    public void Fail(Exception error)
    {
        _cancellation.Unregister();
        Completion.TrySetException(error);
    }

    /// <summary>Gives up a waiter whose emit could not be sent; the caller reports the send error instead.</summary>
    public void Abandon()
    {
        _cancellation.Unregister();
        Completion.TrySetCanceled();

        // The table may have failed it concurrently (connection lost): observe that so it is not reported as unobserved.
        _ = Completion.Task.Exception;
    }

    private void Cancel(CancellationToken token)
    {
        if (_table.Remove(this))
        {
            Completion.TrySetCanceled(token);
        }
    }
}
