using System;
using System.Threading;

namespace SailSocket.SocketIo.Internal;

/// <summary>
/// One burst of acks held by <see cref="AckHandoff"/>, in arrival order: filled by the receive loop, then run by one
/// thread that claims them one at a time, while a timer tick may claim the rest of them at once
/// (<see cref="CompleteRest"/>). Two parallel arrays that grow by doubling up to <see cref="AckHandoff.MaxHeld"/>, reused
/// from burst to burst.
/// </summary>
/// <remarks>
/// The claims go through one 64-bit state: the list's use (how many times it was reset) in the high half, the index of
/// the next ack to claim in the low half. A tick that read a use and an index may take the rest only if both still hold,
/// so a list reset and refilled meanwhile is never touched; once the rest is taken the index is past
/// <see cref="Count"/>, and the list is not reused (<see cref="TryReset"/>).
/// </remarks>
internal sealed class HeldAcks
{
    private const int InitialCapacity = 4;

    private PendingAck?[] _pending = new PendingAck?[InitialCapacity];
    private SocketIoAck[] _acks = new SocketIoAck[InitialCapacity];

    /// <summary>Use (high 32 bits) and next index to claim (low 32 bits).</summary>
    private long _state;

    /// <summary>What <see cref="OnTick"/> saw: the tick (every namespace's table calls it on the same one) and the state then.</summary>
    private long _seenTick = long.MinValue;
    private long _seenState = -1;

    /// <summary>How many are held.</summary>
    public int Count { get; private set; }

    /// <summary>The list's use and progress, as one value a tick compares with the previous tick's.</summary>
    public long State => Volatile.Read(ref _state);

    /// <summary>Adds one at the end; only the receive loop, before the burst runs.</summary>
    public void Add(PendingAck pending, SocketIoAck ack)
    {
        if (Count == _pending.Length)
        {
            Array.Resize(ref _pending, Count * 2);
            Array.Resize(ref _acks, Count * 2);
        }

        _pending[Count] = pending;
        _acks[Count] = ack;
        Count++;
    }

    /// <summary>Claims the next ack, to complete it here; false when none is left (all claimed, or the rest taken by a tick).</summary>
    public bool TryClaim(out PendingAck pending, out SocketIoAck ack)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var next = (int)state;
            if (next >= Count)
            {
                pending = null!;
                ack = default;
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
            {
                pending = _pending[next]!;
                ack = _acks[next];
                return true;
            }
        }
    }

    /// <summary>
    /// Claims every ack not claimed yet and completes them the usual way (continuations queued), in order, if the list is
    /// still at <paramref name="expected"/> (a tick's reading); for its owner, pass <see cref="State"/>.
    /// </summary>
    /// <param name="expected">The state the caller read: nothing is done if the list moved on since.</param>
    /// <param name="takenOver">A tick takes the rest from the thread running the burst: the list is then not reused
    /// (<see cref="TryReset"/>), since that thread may still be finishing with it.</param>
    public void CompleteRest(long expected, bool takenOver)
    {
        var next = (int)expected;
        if (next >= Count)
        {
            return;
        }

        var end = takenOver ? Count + 1 : Count;
        if (Interlocked.CompareExchange(ref _state, (expected & ~0xFFFF_FFFFL) | (uint)end, expected) != expected)
        {
            return;
        }

        for (var i = next; i < Count; i++)
        {
            _pending[i]!.Complete(_acks[i]);
        }
    }

    /// <summary>
    /// A tick of the connection's timer while this burst runs: if it has not moved on since the previous tick, the
    /// continuation running now is held up in a caller's code, and the acks after it are completed the usual way.
    /// </summary>
    public void OnTick(long timestamp)
    {
        if (Interlocked.Exchange(ref _seenTick, timestamp) == timestamp)
        {
            return;
        }

        var state = State;
        if (Interlocked.Exchange(ref _seenState, state) == state)
        {
            CompleteRest(state, takenOver: true);
        }
    }

    /// <summary>Empties the list for its next use, unless a tick took it over (then false: it is not reused).</summary>
    public bool TryReset()
    {
        var state = Volatile.Read(ref _state);
        if ((int)state > Count)
        {
            return false;
        }

        Array.Clear(_pending, 0, Count);
        Array.Clear(_acks, 0, Count);
        Count = 0;
        Volatile.Write(ref _state, ((state >> 32) + 1) << 32);
        return true;
    }
}
