using System.Collections.Generic;

namespace SailSocket.SocketIo.Internal;

/// <summary>
/// Finished ack waiters, ready for the next emit of any connection. Shared (<see cref="Shared"/>) so that an idle socket
/// keeps no waiter of its own: with thousands of sockets, per-socket pools would hold one finished waiter each.
/// </summary>
/// <remarks>Thread-safe. Bounded: beyond <see cref="Capacity"/>, returned waiters are left to the GC.</remarks>
internal sealed class AckWaiterPool
{
    private readonly object _gate = new();
    private readonly Stack<PendingAck> _waiters = new();

    public AckWaiterPool(int capacity) => Capacity = capacity;

    /// <summary>The pool every ack table uses unless given another (tests).</summary>
    public static AckWaiterPool Shared { get; } = new(1024);

    /// <summary>The most finished waiters kept.</summary>
    public int Capacity { get; }

    /// <summary>How many waiters this pool has created (tests: reuse keeps it small).</summary>
    public int CreatedCount { get; private set; }

    /// <summary>How many finished waiters wait in the pool.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>A waiter for one emit of <paramref name="table"/>: a pooled one, or a new one.</summary>
    public PendingAck Rent(AckTable table)
    {
        PendingAck? waiter;
        lock (_gate)
        {
            if (!_waiters.TryPop(out waiter))
            {
                CreatedCount++;
            }
        }

        waiter ??= new PendingAck(this);
        waiter.Bind(table);
        return waiter;
    }

    /// <summary>Takes back a waiter whose one result has been read (or that was never sent); it must be in nobody's hands.</summary>
    public void Return(PendingAck waiter)
    {
        waiter.Bind(null);
        lock (_gate)
        {
            if (_waiters.Count < Capacity)
            {
                _waiters.Push(waiter);
            }
        }
    }
}
