using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>
/// A clock that moves only when a test calls <see cref="Advance"/>. Timers it creates fire synchronously inside
/// <see cref="Advance"/>, on the test's thread, in due order.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private static readonly DateTimeOffset s_epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private long _now;
    private int _created;

    /// <summary>Timestamps are <see cref="TimeSpan"/> ticks so that tests can reason in whole milliseconds.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>How many timers were created so far.</summary>
    public int CreatedTimerCount => Volatile.Read(ref _created);

    /// <summary>How many created timers are not disposed.</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    /// <summary>The time elapsed since creation.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _now));

    public override long GetTimestamp() => Interlocked.Read(ref _now);

    public override DateTimeOffset GetUtcNow() => s_epoch + Elapsed;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
            timer.Schedule(Interlocked.Read(ref _now), dueTime, period);
        }

        Interlocked.Increment(ref _created);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way, at its due time.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        var target = Interlocked.Read(ref _now) + delta.Ticks;
        while (true)
        {
            ManualTimer? next = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.Due <= target && (next is null || timer.Due < next.Due))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    Interlocked.Exchange(ref _now, target);
                    return;
                }

                Interlocked.Exchange(ref _now, next.Due);
                next.Reschedule();
            }

            next.Fire();
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _period;

        /// <summary>The timestamp of the next firing; <see cref="long.MaxValue"/> when stopped.</summary>
        public long Due { get; private set; } = long.MaxValue;

        public void Schedule(long now, TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : now + dueTime.Ticks;
            _period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? 0 : period.Ticks;
        }

        /// <summary>Called under the owner's lock when the timer is about to fire.</summary>
        public void Reschedule() => Due = _period > 0 ? Due + _period : long.MaxValue;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Schedule(owner.GetTimestamp(), dueTime, period);
            }

            return true;
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                Due = long.MaxValue;
            }

            owner.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
