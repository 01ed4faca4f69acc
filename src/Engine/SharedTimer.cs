using System;
using System.Threading;

namespace SailSocket.Engine;

/// <summary>
/// One periodic timer that serves every deadline of many connections: heartbeat watchdogs and request timeouts.
/// </summary>
/// <remarks>
/// <para>
/// A load harness opens thousands of sockets; one timer per socket (or per request) would cost a timer-queue entry and
/// an allocation each. Instead each connection registers once and keeps its own deadlines as plain timestamps; the timer
/// calls <see cref="ITimerTarget.OnTick"/> on every registered target each <see cref="Resolution"/>. A deadline therefore
/// fires up to one resolution late, never early.
/// </para>
/// <para>The underlying timer runs only while at least one target is registered.</para>
/// <para>Thread safety: all members are safe to call concurrently.</para>
/// </remarks>
public sealed class SharedTimer : IDisposable
{
    private readonly object _gate = new();
    private ITimerTarget[] _targets = [];
    private ITimer? _timer;
    private bool _disposed;

    /// <summary>Creates a shared timer.</summary>
    /// <param name="resolution">How often targets are checked. Must be positive.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public SharedTimer(TimeSpan resolution, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(resolution, TimeSpan.Zero);
        Resolution = resolution;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How often registered targets are checked.</summary>
    public TimeSpan Resolution { get; }

    /// <summary>The clock that ticks the timer and stamps deadlines.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets a timestamp <paramref name="delay"/> from now, in <see cref="TimeProvider"/> ticks.</summary>
    /// <param name="delay">The delay; <see cref="Timeout.InfiniteTimeSpan"/> for a deadline that never comes.</param>
    /// <returns>The deadline, comparable with the timestamps passed to <see cref="ITimerTarget.OnTick"/>.</returns>
    public long GetDeadline(TimeSpan delay)
    {
        if (delay == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue;
        }

        var ticks = (long)(delay.TotalSeconds * TimeProvider.TimestampFrequency);
        var now = TimeProvider.GetTimestamp();
        return ticks >= long.MaxValue - now ? long.MaxValue : now + ticks;
    }

    /// <summary>Registers a target; dispose the result to unregister it.</summary>
    /// <param name="target">The target to call on every tick.</param>
    /// <returns>The registration.</returns>
    /// <exception cref="ObjectDisposedException">The timer is disposed.</exception>
    public IDisposable Register(ITimerTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var targets = new ITimerTarget[_targets.Length + 1];
            _targets.CopyTo(targets, 0);
            targets[^1] = target;
            _targets = targets;
            _timer ??= TimeProvider.CreateTimer(static state => ((SharedTimer)state!).Tick(), this, Resolution, Resolution);
        }

        return new Registration(this, target);
    }

    /// <summary>Stops the timer; registered targets are no longer called.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _targets = [];
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Unregister(ITimerTarget target)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_targets, target);
            if (index < 0)
            {
                return;
            }

            var targets = new ITimerTarget[_targets.Length - 1];
            Array.Copy(_targets, 0, targets, 0, index);
            Array.Copy(_targets, index + 1, targets, index, targets.Length - index);
            _targets = targets;
            if (targets.Length == 0)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }
    }

    private void Tick()
    {
        var now = TimeProvider.GetTimestamp();
        foreach (var target in Volatile.Read(ref _targets))
        {
            try
            {
                target.OnTick(now);
            }
#pragma warning disable CA1031 // One faulty target must not stop the deadlines of every other connection.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private sealed class Registration(SharedTimer timer, ITimerTarget target) : IDisposable
    {
        private SharedTimer? _timer = timer;

        public void Dispose() => Interlocked.Exchange(ref _timer, null)?.Unregister(target);
    }
}
