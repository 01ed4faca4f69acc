using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace SailSocket.Engine.Transports;

/// <summary>
/// A sender waiting in a <see cref="SendQueue"/>: its message (or a wish to take the socket), its place in the queue and
/// the one wait its caller awaits. Pooled: one instance serves many sends, one at a time.
/// </summary>
/// <remarks>
/// Ownership: whoever takes the waiter out of the queue (the queue's writer, or cancellation) is the only one allowed to
/// complete it; the caller reads the result once (<see cref="GetResult"/>), which disposes the cancellation registration
/// (waiting for a callback that is running) and returns the waiter to the pool.
/// </remarks>
internal sealed class SendWaiter : IValueTaskSource
{
    private readonly SendQueue _queue;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;

    public SendWaiter(SendQueue queue) => _queue = queue;

    /// <summary>The message to write; empty for an acquirer.</summary>
    public ReadOnlyMemory<byte> Text { get; private set; }

    /// <summary>Binary messages to write after <see cref="Text"/>, or <see langword="null"/>.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? Binary { get; private set; }

    /// <summary>Timestamp by which the message must be written (<see cref="long.MaxValue"/>: none); see <see cref="SendQueue.IsStalled"/>.</summary>
    public long Deadline { get; private set; }

    /// <summary>Whether this waiter wants the socket itself rather than a message written.</summary>
    public bool IsAcquire { get; private set; }

    /// <summary>Whether the waiter is in its queue's list; changed under the queue's lock.</summary>
    public bool IsQueued { get; set; }

    /// <summary>The next waiter in the queue, or in the pool.</summary>
    public SendWaiter? Next { get; set; }

    /// <summary>The previous waiter in the queue.</summary>
    public SendWaiter? Prev { get; set; }

    /// <summary>Readies the waiter for one send; under the queue's lock, on a waiter nobody else holds.</summary>
    public void Prepare(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary, bool acquire, long deadline)
    {
        Deadline = deadline;
        Text = text;
        Binary = binary;
        IsAcquire = acquire;
        IsQueued = true;
    }

    /// <summary>The one wait of this send; registers the caller's token first.</summary>
    public ValueTask Wait(CancellationToken cancellationToken)
    {
        var token = _core.Version;
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((SendWaiter)state!).Cancel(token), this);
        }

        return new ValueTask(this, token);
    }

    /// <summary>Completes the wait: the message was written (<paramref name="error"/> is null), or its write failed.</summary>
    public void Complete(Exception? error)
    {
        // The message is no longer needed: do not keep the caller's buffer reachable from the pool.
        Text = default;
        Binary = null;
        if (error is null)
        {
            _core.SetResult(true);
        }
        else
        {
            _core.SetException(error);
        }
    }

    /// <inheritdoc />
    public void GetResult(short token)
    {
        if (token != _core.Version)
        {
            throw new InvalidOperationException("The send waiter was read twice or after reuse.");
        }

        try
        {
            _core.GetResult(token);
        }
        finally
        {
            // Waits for a cancellation callback that is running right now: after this, nothing of this send touches the waiter.
            _cancellation.Dispose();
            _cancellation = default;
            _core.Reset();
            _queue.Return(this);
        }
    }

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Cancel(CancellationToken token)
    {
        if (_queue.TryRemove(this))
        {
            Complete(new OperationCanceledException(token));
        }
    }
}
