using System;
using System.Collections.Generic;
using System.Threading;

namespace SailSocket.SocketIo.Internal;

/// <summary>
/// The emits of one connection that wait for an ack, by ack id. Deadlines are checked on the ticks of a
/// <see cref="SharedTimer"/>; the earliest deadline is cached so that a tick with nothing due costs one comparison.
/// </summary>
/// <remarks>Thread-safe: the receive loop completes, the timer expires, callers add and cancel, all concurrently.</remarks>
internal sealed class AckTable : ITimerTarget
{
    /// <summary>The pending acks by id; also the lock over them (private, so no one else locks it; one object fewer per socket).</summary>
    private readonly Dictionary<int, PendingAck> _pending = [];

    /// <summary>Where waiters come from and go back to: shared by all connections, so an idle one keeps none.</summary>
    private readonly AckWaiterPool _waiterPool;
    private readonly SharedTimer _timer;

    /// <summary>The most waiters at once (SocketIoNamespaceOptions.MaxPendingAcks): a caller cannot grow the table without bound.</summary>
    private readonly int _maxPending;

    /// <summary>Ids start at 0 like the JS clients'; wrapped to 0 after int.MaxValue.</summary>
    private int _nextId;
    private long _earliestDeadline = long.MaxValue;
    private Exception? _closed;

    /// <summary>The connection's hand-off of acks from its receive loop, told of each tick (<see cref="AckHandoff.OnTick"/>); none in tests.</summary>
    private readonly AckHandoff? _handoff;

    public AckTable(SharedTimer timer, int maxPending = int.MaxValue, AckWaiterPool? waiterPool = null, AckHandoff? handoff = null)
    {
        _timer = timer;
        _handoff = handoff;
        _maxPending = maxPending;
        _waiterPool = waiterPool ?? AckWaiterPool.Shared;
    }

    public int Count
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Adds a waiter with a fresh id.</summary>
    /// <exception cref="Exception">The error the table was closed with (a fresh copy is not made: the same instance is thrown).</exception>
    /// <exception cref="SocketIoAckLimitException">The table already holds its maximum number of waiters.</exception>
    public PendingAck Add(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _timer.GetDeadline(timeout);
        PendingAck pending;
        lock (_pending)
        {
            if (_closed is not null)
            {
                throw _closed;
            }

            if (_pending.Count >= _maxPending)
            {
                throw new SocketIoAckLimitException(_maxPending);
            }

            int id;
            do
            {
                id = _nextId;
                _nextId = id == int.MaxValue ? 0 : id + 1;
            }
            while (_pending.ContainsKey(id));

            pending = _waiterPool.Rent(this);
            pending.Prepare(id, deadline, timeout);
            _pending.Add(id, pending);
            if (deadline < _earliestDeadline)
            {
                _earliestDeadline = deadline;
            }
        }

        pending.RegisterCancellation(cancellationToken);
        return pending;
    }

    public bool Remove(PendingAck pending)
    {
        lock (_pending)
        {
            return _pending.TryGetValue(pending.Id, out var found) && ReferenceEquals(found, pending) && _pending.Remove(pending.Id);
        }
    }

    /// <summary>Completes the waiter for <paramref name="id"/>; an unknown id (late or unsolicited ack) is ignored.</summary>
    public bool TryComplete(long id, SocketIoAck ack)
    {
        if (TryTake(id) is not { } pending)
        {
            return false;
        }

        pending.Complete(ack);
        return true;
    }

    /// <summary>
    /// Takes the waiter for <paramref name="id"/> out of the table, for the caller to complete (and nobody else: not the
    /// timer, cancellation or <see cref="Close"/>); <see langword="null"/> for an unknown id (late or unsolicited ack).
    /// </summary>
    public PendingAck? TryTake(long id)
    {
        if (id is < 0 or > int.MaxValue)
        {
            return null;
        }

        lock (_pending)
        {
            return _pending.Remove((int)id, out var pending) ? pending : null;
        }
    }

    /// <summary>Fails every waiter and refuses new ones with <paramref name="error"/>.</summary>
    public void Close(Exception error)
    {
        PendingAck[] failed;
        lock (_pending)
        {
            _closed ??= error;
            failed = [.. _pending.Values];
            _pending.Clear();
            _earliestDeadline = long.MaxValue;
        }

        foreach (var pending in failed)
        {
            pending.Fail(error);
        }
    }

    public void OnTick(long timestamp)
    {
        _handoff?.OnTick(timestamp);
        if (timestamp < Volatile.Read(ref _earliestDeadline))
        {
            return;
        }

        List<PendingAck>? expired = null;
        lock (_pending)
        {
            var earliest = long.MaxValue;
            foreach (var pending in _pending.Values)
            {
                if (pending.Deadline <= timestamp)
                {
                    (expired ??= []).Add(pending);
                }
                else if (pending.Deadline < earliest)
                {
                    earliest = pending.Deadline;
                }
            }

            if (expired is not null)
            {
                foreach (var pending in expired)
                {
                    _pending.Remove(pending.Id);
                }
            }

            _earliestDeadline = earliest;
        }

        if (expired is not null)
        {
            foreach (var pending in expired)
            {
                pending.Fail(new SocketIoTimeoutException($"No ack within {pending.Timeout.TotalMilliseconds:0} ms. The server may still process the emit; a late ack is ignored."));
            }
        }
    }
}
