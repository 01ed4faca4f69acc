using System;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;

namespace SailSocket.SocketIo.Internal;

/// <summary>
/// Hands acks from the receive loop to their awaiters with one thread-pool hop fewer where that is safe: the last ack
/// the loop completed before its next receive waits for the network runs its awaiter's continuation on the loop's own
/// thread, once the loop's continuation has been handed to that pending receive. Every other ack completes as before,
/// its continuation queued to the thread pool.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Why it is safe: when the held ack's continuation runs, the receive loop no longer needs this thread (it resumes
/// wherever the network read completes), so a continuation that blocks, or waits synchronously for another ack, holds up
/// nobody but itself. An ack completed earlier in the same burst was already queued before it, so waiting for one never
/// deadlocks either.</item>
/// <item>Why it pays: with requests in flight, each ack's continuation usually sends the next request. Queuing it costs a
/// work item and often a thread woken to take it; here the thread that read the ack and would go idle runs it.</item>
/// <item>A held ack is completed the usual way before the loop handles any other packet (an event, a connect, a
/// disconnect), whose handler runs on the loop and might wait for it.</item>
/// <item>Only the receive loop calls <see cref="Complete"/> and <see cref="Flush"/>; <see cref="WaitFor"/>'s awaiter takes the
/// held ack out before it registers the loop's continuation, so the loop resumed elsewhere never sees it.</item>
/// </list>
/// </remarks>
internal sealed class AckHandoff
{
    private PendingAck? _held;
    private SocketIoAck _heldAck;

    /// <summary>
    /// Completes an ack the receive loop has taken out of its table: the ack held before it completes now (its continuation
    /// queued), and this one is held until the loop's next receive waits for the network.
    /// </summary>
    public void Complete(PendingAck pending, SocketIoAck ack)
    {
        var previous = _held;
        var previousAck = _heldAck;
        _held = pending;
        _heldAck = ack;
        previous?.Complete(previousAck);
    }

    /// <summary>Completes the held ack, if any, the usual way (continuation queued): the loop is about to run a handler, or is ending.</summary>
    public void Flush()
    {
        var held = Take(out var ack);
        held?.Complete(ack);
    }

    /// <summary>Awaits the loop's next receive; if it waits for the network, the held ack is completed on this thread meanwhile.</summary>
    public ReceiveAwaitable WaitFor(ValueTask<EngineMessage> receive) => new(this, receive.ConfigureAwait(false).GetAwaiter());

    private PendingAck? Take(out SocketIoAck ack)
    {
        var held = _held;
        ack = _heldAck;
        _held = null;
        _heldAck = default;
        return held;
    }

    /// <summary>Runs the held ack's continuation here; what it throws goes to the thread pool, as it would have queued.</summary>
    private static void CompleteHere(PendingAck held, SocketIoAck ack)
    {
        try
        {
            held.CompleteInline(ack);
        }
#pragma warning disable CA1031 // Not ours to handle: rethrown on the thread pool, where a queued continuation would have thrown it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var captured = ExceptionDispatchInfo.Capture(ex);
            ThreadPool.UnsafeQueueUserWorkItem(static state => ((ExceptionDispatchInfo)state!).Throw(), captured);
        }
    }

    /// <summary>The awaitable of <see cref="WaitFor"/>: the receive's awaiter (without context capture) plus the hand-off.</summary>
    internal readonly struct ReceiveAwaitable : ICriticalNotifyCompletion
    {
        private readonly AckHandoff _handoff;
        private readonly ConfiguredValueTaskAwaitable<EngineMessage>.ConfiguredValueTaskAwaiter _inner;

        public ReceiveAwaitable(AckHandoff handoff, ConfiguredValueTaskAwaitable<EngineMessage>.ConfiguredValueTaskAwaiter inner)
        {
            _handoff = handoff;
            _inner = inner;
        }

        public bool IsCompleted => _inner.IsCompleted;

        public ReceiveAwaitable GetAwaiter() => this;

        public EngineMessage GetResult() => _inner.GetResult();

        public void OnCompleted(Action continuation)
        {
            var held = _handoff.Take(out var ack);
            _inner.OnCompleted(continuation);
            if (held is not null)
            {
                CompleteHere(held, ack);
            }
        }

        public void UnsafeOnCompleted(Action continuation)
        {
            // Taken before the loop's continuation is registered: once it is, the loop may resume on another thread at once.
            var held = _handoff.Take(out var ack);
            _inner.UnsafeOnCompleted(continuation);
            if (held is not null)
            {
                CompleteHere(held, ack);
            }
        }
    }
}
