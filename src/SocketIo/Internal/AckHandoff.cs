using System;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;

namespace SailSocket.SocketIo.Internal;

/// <summary>
/// Hands acks from the receive loop to their awaiters with fewer thread-pool hops and fewer network writes where that is
/// safe: the acks the loop completed before its next receive waits for the network run their awaiters' continuations on
/// the loop's own thread, once the loop's continuation has been handed to that pending receive, and what those
/// continuations send (usually the next requests) leaves in one network write.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Why it is safe: when the held acks' continuations run, the receive loop no longer needs this thread (it resumes
/// wherever the network read completes), so a continuation that blocks, or waits synchronously for another ack, holds up
/// only the held acks after it, and not for long: at the second tick of the connection's timer that finds it still
/// running (<see cref="OnTick"/>), the acks after it are completed the usual way, and what the burst sent is written
/// (<see cref="EngineConnection.BeginSendBatch"/>). One burst runs at a time: a burst read while another still runs is
/// completed the usual way.</item>
/// <item>Why it pays: with requests in flight, acks arrive in bursts and each continuation sends the next request.
/// Queuing each costs a work item and often a thread woken to take it, and each send its own write; here the thread that
/// read the burst and would go idle runs them, and their requests share one write.</item>
/// <item>Held acks are completed the usual way before the loop handles any other packet (an event, a connect, a
/// disconnect), whose handler runs on the loop and might wait for them; and when <see cref="MaxHeld"/> are held.</item>
/// <item>Only the receive loop calls <see cref="Complete"/> and <see cref="Flush"/>; <see cref="WaitFor"/>'s awaiter takes the
/// held acks out before it registers the loop's continuation, so the loop resumed elsewhere never sees them.</item>
/// <item>An idle connection holds no list: a lone held ack has fields of its own, and a list is made at the first burst.</item>
/// </list>
/// </remarks>
internal sealed class AckHandoff
{
    /// <summary>The most acks held at once (one burst); more are completed the usual way, in order.</summary>
    internal const int MaxHeld = 64;

    private readonly EngineConnection? _engine;

    /// <summary>A lone held ack (the burst so far has one).</summary>
    private PendingAck? _held;
    private SocketIoAck _heldAck;

    /// <summary>The held acks once a burst has more than one, in order; <see langword="null"/> otherwise.</summary>
    private HeldAcks? _burst;

    /// <summary>A list free for the loop's next burst, given back by the thread that ran the previous one.</summary>
    private HeldAcks? _spare;

    /// <summary>The burst whose continuations run now, for <see cref="OnTick"/>; <see langword="null"/> when none runs.</summary>
    private HeldAcks? _running;

    /// <summary>Hands acks over for the connection <paramref name="engine"/> (whose sends a burst gathers); none in tests.</summary>
    public AckHandoff(EngineConnection? engine = null) => _engine = engine;

    /// <summary>How many acks are held (tests).</summary>
    internal int HeldCount => (_held is null ? 0 : 1) + (_burst?.Count ?? 0);

    /// <summary>Holds an ack the receive loop has taken out of its table, until the loop's next receive waits for the network.</summary>
    public void Complete(PendingAck pending, SocketIoAck ack)
    {
        if (_burst is { } burst)
        {
            if (burst.Count == MaxHeld)
            {
                Flush();
                _held = pending;
                _heldAck = ack;
                return;
            }

            burst.Add(pending, ack);
            return;
        }

        if (_held is null)
        {
            _held = pending;
            _heldAck = ack;
            return;
        }

        burst = _burst = Interlocked.Exchange(ref _spare, null) ?? new HeldAcks();
        burst.Add(_held, _heldAck);
        burst.Add(pending, ack);
        _held = null;
        _heldAck = default;
    }

    /// <summary>Completes the held acks, if any, the usual way (continuations queued): the loop is about to run a handler, or is ending.</summary>
    public void Flush()
    {
        var held = Take();
        held.Lone?.Complete(held.LoneAck);
        if (held.Burst is { } burst)
        {
            burst.CompleteRest(burst.State, takenOver: false);
            GiveBack(burst);
        }
    }

    /// <summary>Awaits the loop's next receive; if it waits for the network, the held acks are completed on this thread meanwhile.</summary>
    public ReceiveAwaitable WaitFor(ValueTask<EngineMessage> receive) => new(this, receive.ConfigureAwait(false).GetAwaiter());

    /// <summary>
    /// On each tick of the connection's timer (called by every namespace's ack table; once per tick counts): a burst that
    /// has not moved on since the previous tick has a continuation held up in a caller's code, so the acks after it are
    /// completed the usual way now.
    /// </summary>
    public void OnTick(long timestamp)
    {
        // An idle connection, or one whose bursts run through: one field read.
        if (Volatile.Read(ref _running) is { } running)
        {
            running.OnTick(timestamp);
        }
    }

    private Held Take()
    {
        var held = new Held(_held, _heldAck, _burst);
        _held = null;
        _heldAck = default;
        _burst = null;
        return held;
    }

    /// <summary>Runs the held acks' continuations here, in order; what they send leaves in one write.</summary>
    private void CompleteHere(Held held)
    {
        if (held.Lone is not null)
        {
            // A lone ack: its continuation's sends go out as they are, as they would from the thread pool.
            CompleteHere(held.Lone, held.LoneAck);
            return;
        }

        if (held.Burst is not { } burst)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _running, burst, null) is not null)
        {
            // Another burst is still running (held up in a caller's code): this one goes the usual way.
            burst.CompleteRest(burst.State, takenOver: false);
            GiveBack(burst);
            return;
        }

        var batch = _engine?.BeginSendBatch() ?? false;
        try
        {
            while (burst.TryClaim(out var pending, out var ack))
            {
                CompleteHere(pending, ack);
            }
        }
        finally
        {
            if (batch)
            {
                _engine!.EndSendBatch();
            }

            Volatile.Write(ref _running, null);
        }

        GiveBack(burst);
    }

    /// <summary>Returns a finished list for reuse; one that a tick took over is left to it (and the GC).</summary>
    private void GiveBack(HeldAcks burst)
    {
        if (burst.TryReset())
        {
            Volatile.Write(ref _spare, burst);
        }
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

    /// <summary>The acks taken out of the handoff at once: a lone one, or a burst.</summary>
    private readonly record struct Held(PendingAck? Lone, SocketIoAck LoneAck, HeldAcks? Burst);

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
            var held = _handoff.Take();
            _inner.OnCompleted(continuation);
            _handoff.CompleteHere(held);
        }

        public void UnsafeOnCompleted(Action continuation)
        {
            // Taken before the loop's continuation is registered: once it is, the loop may resume on another thread at once.
            var held = _handoff.Take();
            _inner.UnsafeOnCompleted(continuation);
            _handoff.CompleteHere(held);
        }
    }
}
