using System;
using System.Collections.Generic;
using System.Threading;

// Shared source (src/Shared), compiled into each assembly that needs it as its own internal type, in a namespace of
// that assembly: no assembly sees another's internals, and a test assembly that sees all three finds no duplicate name.
#if SAILSOCKET_ENGINE
namespace SailSocket.Engine;
#elif SAILSOCKET_SOCKETIO
namespace SailSocket.SocketIo.Internal;
#elif SAILSOCKET_SAILS
namespace SailSocket.Internal;
#else
#error Define the assembly's SAILSOCKET_* constant (src/*/*.csproj).
#endif

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
/// <para>
/// Connections do not create one each: they lease the process-wide timer of their clock and resolution
/// (<see cref="Acquire"/>, <see cref="Release"/>), so that 10,000 connections of one client share one timer per layer, and
/// the timer goes away with its last lease (a test's manual clock is not kept alive).
/// </para>
/// <para>Thread safety: all members are safe to call concurrently.</para>
/// </remarks>
internal sealed class SharedTimer : IDisposable
{
    /// <summary>The leased timers of this assembly, by clock and resolution; guarded by itself.</summary>
    private static readonly Dictionary<(TimeProvider, TimeSpan), SharedTimer> s_leased = [];

    /// <summary>The smallest registration arrays are not shrunk below (slots).</summary>
    private const int MinimumCapacity = 16;

    private readonly object _gate = new();

    /// <summary>How many leases (<see cref="Acquire"/>) hold this timer; guarded by <see cref="s_leased"/>.</summary>
    private int _leases;

    // The registered targets in [0, _count), in no particular order, and their registrations at the same index (each knows
    // its index): registering appends, unregistering moves the last one into the gap, so both cost O(1) however many
    // connections share the timer (a copied array per change cost O(n) each, and 19,000 connections ~3 GB of arrays).
    // Guarded by _gate.
    private ITimerTarget?[] _targets = [];
    private Registration?[] _registrations = [];
    private int _count;

    /// <summary>The array a tick copies the targets into, kept between ticks (taken under <see cref="_gate"/>).</summary>
    private ITimerTarget?[]? _spare;
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

    /// <summary>
    /// Leases the timer of this clock and resolution that every connection of the process shares, creating it if none is
    /// leased; <see cref="Release"/> once per call.
    /// </summary>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="resolution">How often targets are checked. Must be positive.</param>
    /// <returns>The shared timer.</returns>
    public static SharedTimer Acquire(TimeProvider timeProvider, TimeSpan resolution)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        lock (s_leased)
        {
            if (!s_leased.TryGetValue((timeProvider, resolution), out var timer))
            {
                timer = new SharedTimer(resolution, timeProvider);
                s_leased.Add((timeProvider, resolution), timer);
            }

            timer._leases++;
            return timer;
        }
    }

    /// <summary>Gives back a lease from <see cref="Acquire"/>; the last one stops and forgets the timer.</summary>
    public void Release()
    {
        lock (s_leased)
        {
            if (--_leases == 0)
            {
                s_leased.Remove((TimeProvider, Resolution));
                Dispose();
            }
        }
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
    /// <remarks>O(1) (amortised): the registration arrays double when full.</remarks>
    public IDisposable Register(ITimerTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_count == _targets.Length)
            {
                Resize(Math.Max(MinimumCapacity, _count * 2));
            }

            var registration = new Registration(this, _count);
            _targets[_count] = target;
            _registrations[_count] = registration;
            _count++;
            _timer ??= TimeProvider.CreateTimer(static state => ((SharedTimer)state!).Tick(), this, Resolution, Resolution);
            return registration;
        }
    }

    /// <summary>How many targets are registered.</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>The length of the registration arrays (for tests: they grow and shrink with the count).</summary>
    internal int Capacity
    {
        get
        {
            lock (_gate)
            {
                return _targets.Length;
            }
        }
    }

    /// <summary>Stops the timer; registered targets are no longer called.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var registration in _registrations.AsSpan(0, _count))
            {
                registration!.Index = -1;
            }

            _targets = [];
            _registrations = [];
            _spare = null;
            _count = 0;
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>O(1): the last registration moves into the gap; the arrays halve when a quarter full.</summary>
    private void Unregister(Registration registration)
    {
        lock (_gate)
        {
            var index = registration.Index;
            if (index < 0)
            {
                return;
            }

            registration.Index = -1;
            var last = --_count;
            if (index != last)
            {
                var moved = _registrations[last]!;
                _targets[index] = _targets[last];
                _registrations[index] = moved;
                moved.Index = index;
            }

            _targets[last] = null;
            _registrations[last] = null;
            if (_count == 0)
            {
                _targets = [];
                _registrations = [];
                _spare = null;
                _timer?.Dispose();
                _timer = null;
            }
            else if (_targets.Length > MinimumCapacity && _count <= _targets.Length / 4)
            {
                Resize(_targets.Length / 2);
            }
        }
    }

    /// <summary>Moves the registrations to arrays of <paramref name="capacity"/> slots; under <see cref="_gate"/>.</summary>
    private void Resize(int capacity)
    {
        var targets = new ITimerTarget?[capacity];
        var registrations = new Registration?[capacity];
        Array.Copy(_targets, targets, _count);
        Array.Copy(_registrations, registrations, _count);
        _targets = targets;
        _registrations = registrations;
    }

    /// <summary>
    /// Calls every target registered when the tick began, outside the lock (a target may unregister, or register another,
    /// from <see cref="ITimerTarget.OnTick"/>): they are copied first, O(n) like the calls themselves, into the timer's one
    /// spare array (a tick that overlaps another, rare, copies into an array of its own).
    /// </summary>
    private void Tick()
    {
        ITimerTarget?[] targets;
        int count;
        lock (_gate)
        {
            count = _count;
            if (count == 0)
            {
                return;
            }

            targets = _spare is { } spare && spare.Length >= count && spare.Length <= 2 * _targets.Length ? spare : new ITimerTarget?[_targets.Length];
            _spare = null;
            Array.Copy(_targets, targets, count);
        }

        try
        {
            var now = TimeProvider.GetTimestamp();
            foreach (var target in targets.AsSpan(0, count))
            {
                try
                {
                    target!.OnTick(now);
                }
#pragma warning disable CA1031 // One faulty target must not stop the deadlines of every other connection.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
        finally
        {
            // Cleared, so that the spare keeps no connection alive; not kept by a timer left without targets.
            Array.Clear(targets, 0, count);
            lock (_gate)
            {
                if (_count > 0)
                {
                    _spare = targets;
                }
            }
        }
    }

    /// <summary>A target's place in the timer; its index is guarded by the timer's lock (-1 once unregistered).</summary>
    private sealed class Registration(SharedTimer timer, int index) : IDisposable
    {
        private SharedTimer? _timer = timer;

        public int Index { get; set; } = index;

        public void Dispose() => Interlocked.Exchange(ref _timer, null)?.Unregister(this);
    }
}
