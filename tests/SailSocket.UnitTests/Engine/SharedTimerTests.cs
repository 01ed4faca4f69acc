using System;
using System.Collections.Generic;
using System.Linq;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>The one periodic timer behind every heartbeat watchdog and ack deadline, on a manual clock.</summary>
public sealed class SharedTimerTests
{
    private static readonly TimeSpan s_resolution = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Timer_RunsOnlyWhileTargetsAreRegistered()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        Assert.Equal(0, clock.CreatedTimerCount);

        var first = timer.Register(new RecordingTarget());
        var second = timer.Register(new RecordingTarget());
        Assert.Equal(1, clock.CreatedTimerCount);
        Assert.Equal(1, clock.ActiveTimerCount);

        first.Dispose();
        Assert.Equal(1, clock.ActiveTimerCount);

        second.Dispose();
        Assert.Equal(0, clock.ActiveTimerCount);

        using var third = timer.Register(new RecordingTarget());
        Assert.Equal(2, clock.CreatedTimerCount);
        Assert.Equal(1, clock.ActiveTimerCount);
    }

    [Fact]
    public void Tick_CallsEveryTargetEachResolutionWithTheCurrentTimestamp()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        var a = new RecordingTarget();
        var b = new RecordingTarget();
        using var ra = timer.Register(a);
        using var rb = timer.Register(b);

        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Empty(a.Ticks);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        clock.Advance(TimeSpan.FromMilliseconds(250));

        var expected = new[] { Ms(100), Ms(200), Ms(300) };
        Assert.Equal(expected, a.Ticks);
        Assert.Equal(expected, b.Ticks);
    }

    [Fact]
    public void Unregistered_TargetIsNoLongerCalled_AndDisposeTwiceIsHarmless()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        var kept = new RecordingTarget();
        var removed = new RecordingTarget();
        using var keptRegistration = timer.Register(kept);
        var removedRegistration = timer.Register(removed);

        clock.Advance(s_resolution);
        removedRegistration.Dispose();
        removedRegistration.Dispose();
        clock.Advance(s_resolution);

        Assert.Single(removed.Ticks);
        Assert.Equal(2, kept.Ticks.Count);
    }

    [Fact]
    public void Tick_AThrowingTargetDoesNotStopTheOthers()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        var after = new RecordingTarget();
        using var bad = timer.Register(new ThrowingTarget());
        using var good = timer.Register(after);

        clock.Advance(s_resolution * 2);

        Assert.Equal(2, after.Ticks.Count);
    }

    [Fact]
    public void GetDeadline_IsNowPlusDelayInTimestampTicks()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(Ms(3500), timer.GetDeadline(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(Ms(3000), timer.GetDeadline(TimeSpan.Zero));
    }

    [Fact]
    public void GetDeadline_HugeDelay_SaturatesInsteadOfOverflowing()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(long.MaxValue, timer.GetDeadline(TimeSpan.MaxValue));
    }

    [Fact]
    public void GetDeadline_InfiniteTimeSpan_NeverComes()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(long.MaxValue, timer.GetDeadline(System.Threading.Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void Dispose_StopsTheTimerAndRefusesRegistrations()
    {
        var clock = new ManualTimeProvider();
        var timer = new SharedTimer(s_resolution, clock);
        var target = new RecordingTarget();
        var registration = timer.Register(target);

        timer.Dispose();
        clock.Advance(s_resolution * 3);
        registration.Dispose();

        Assert.Empty(target.Ticks);
        Assert.Equal(0, clock.ActiveTimerCount);
        Assert.Throws<ObjectDisposedException>(() => timer.Register(new RecordingTarget()));
    }

    [Fact]
    public void Constructor_ValidatesArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedTimer(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedTimer(TimeSpan.FromMilliseconds(-1)));
        using var timer = new SharedTimer(s_resolution);
        Assert.Same(TimeProvider.System, timer.TimeProvider);
        Assert.Equal(s_resolution, timer.Resolution);
        Assert.Throws<ArgumentNullException>(() => timer.Register(null!));
    }

    [Fact]
    public void Acquire_SameClockAndResolution_SharesOneTimer_UntilTheLastRelease()
    {
        var clock = new ManualTimeProvider();
        var first = SharedTimer.Acquire(clock, s_resolution);
        var second = SharedTimer.Acquire(clock, s_resolution);
        var coarser = SharedTimer.Acquire(clock, TimeSpan.FromSeconds(1));
        var otherClock = SharedTimer.Acquire(new ManualTimeProvider(), s_resolution);
        Assert.Same(first, second);
        Assert.NotSame(first, coarser);
        Assert.NotSame(first, otherClock);

        using (first.Register(new RecordingTarget()))
        {
            first.Release();
            Assert.Same(second, SharedTimer.Acquire(clock, s_resolution));
            second.Release();
            Assert.Equal(1, clock.ActiveTimerCount);
        }

        // The last lease went: the timer is forgotten (a new one comes next time) and its clock is not kept.
        second.Release();
        Assert.Equal(0, clock.ActiveTimerCount);
        var again = SharedTimer.Acquire(clock, s_resolution);
        Assert.NotSame(first, again);
        Assert.Throws<ObjectDisposedException>(() => first.Register(new RecordingTarget()));
        again.Release();
        coarser.Release();
        otherClock.Release();
    }

    [Fact]
    public void ManyTargets_RemovedInAnyOrder_EachLiveOneIsCalledOnceATick_AndTheArraysShrink()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        const int Count = 5_000;
        var targets = new RecordingTarget[Count];
        var registrations = new IDisposable[Count];
        for (var i = 0; i < Count; i++)
        {
            targets[i] = new RecordingTarget();
            registrations[i] = timer.Register(targets[i]);
        }

        Assert.Equal(Count, timer.Count);
        Assert.InRange(timer.Capacity, Count, 2 * Count);

        // Remove every third, from the middle, the first and the last: each removal moves the last one into the gap.
        var removed = new bool[Count];
        foreach (var i in new[] { 0, Count - 1, Count / 2 }.Concat(Enumerable.Range(0, Count).Where(i => i % 3 == 1)))
        {
            registrations[i].Dispose();
            registrations[i].Dispose(); // twice: harmless, and it must not remove whoever moved into the slot
            removed[i] = true;
        }

        clock.Advance(s_resolution);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(removed[i] ? 0 : 1, targets[i].Ticks.Count);
        }

        Assert.Equal(removed.Count(r => !r), timer.Count);

        // Down to a few: the arrays shrink, and the survivors are still called.
        var survivors = Enumerable.Range(0, Count).Where(i => !removed[i]).ToArray();
        foreach (var i in survivors[3..])
        {
            registrations[i].Dispose();
        }

        Assert.Equal(3, timer.Count);
        Assert.True(timer.Capacity <= 16, $"capacity {timer.Capacity} after shrinking to 3 targets");
        clock.Advance(s_resolution);
        foreach (var i in survivors[..3])
        {
            Assert.Equal(2, targets[i].Ticks.Count);
        }

        Assert.Equal(1, survivors[3..].Max(i => targets[i].Ticks.Count));
    }

    [Fact]
    public void Register_AllocatesAConstantAmountPerTarget_NotACopyOfEveryOther()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        var target = new RecordingTarget();
        var registrations = new List<IDisposable>(20_000);
        for (var i = 0; i < 10_000; i++)
        {
            registrations.Add(timer.Register(target));
        }

        // The next 10,000 cost their registrations and at most one doubling of the arrays (2 × 16,384 slots), not
        // 10,000 copies of a 10,000-slot array (~800 MB).
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            registrations.Add(timer.Register(target));
        }

        var registering = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(registering < 1_000_000, $"registering 10,000 more targets allocated {registering} bytes");

        before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        var unregistering = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(unregistering < 1_000_000, $"unregistering 20,000 targets allocated {unregistering} bytes");
        Assert.Equal(0, timer.Count);
        Assert.Equal(0, clock.ActiveTimerCount);
    }

    [Fact]
    public void Tick_ReusesItsCopyOfTheTargets_AndAllocatesNothingOnceWarm()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        var targets = Enumerable.Range(0, 1_000).Select(_ => new CountingTarget()).ToArray();
        var registrations = targets.Select(timer.Register).ToArray();
        clock.Advance(s_resolution); // the first tick makes the copy

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            clock.Advance(s_resolution);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.All(targets, t => Assert.Equal(11, t.Calls));
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }
    }

    [Fact]
    public void Tick_TargetsMayUnregisterThemselvesAndRegisterOthers_DuringTheTick()
    {
        var clock = new ManualTimeProvider();
        using var timer = new SharedTimer(s_resolution, clock);
        var late = new RecordingTarget();
        IDisposable? lateRegistration = null;
        var selfRemoving = new CallbackTarget();
        var selfRegistration = timer.Register(selfRemoving);
        selfRemoving.Callback = () =>
        {
            selfRegistration.Dispose();
            lateRegistration ??= timer.Register(late);
        };
        var steady = new RecordingTarget();
        using var steadyRegistration = timer.Register(steady);

        clock.Advance(s_resolution);
        Assert.Equal(1, selfRemoving.Calls);
        Assert.Single(steady.Ticks);
        Assert.Empty(late.Ticks); // registered during the tick: called from the next one

        clock.Advance(s_resolution);
        Assert.Equal(1, selfRemoving.Calls);
        Assert.Equal(2, steady.Ticks.Count);
        Assert.Single(late.Ticks);
        lateRegistration!.Dispose();
    }

    [Fact]
    public void Dispose_ThenDisposingRegistrations_IsHarmless()
    {
        var clock = new ManualTimeProvider();
        var timer = new SharedTimer(s_resolution, clock);
        var registrations = Enumerable.Range(0, 40).Select(_ => timer.Register(new RecordingTarget())).ToArray();
        timer.Dispose();
        Assert.Equal(0, timer.Count);
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        Assert.Equal(0, timer.Count);
        Assert.Equal(0, clock.ActiveTimerCount);
    }

    private static long Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds).Ticks;

    private sealed class RecordingTarget : ITimerTarget
    {
        public List<long> Ticks { get; } = [];

        public void OnTick(long timestamp) => Ticks.Add(timestamp);
    }

    private sealed class CountingTarget : ITimerTarget
    {
        public int Calls { get; private set; }

        public void OnTick(long timestamp) => Calls++;
    }

    private sealed class CallbackTarget : ITimerTarget
    {
        public Action? Callback { get; set; }

        public int Calls { get; private set; }

        public void OnTick(long timestamp)
        {
            Calls++;
            Callback?.Invoke();
        }
    }

    private sealed class ThrowingTarget : ITimerTarget
    {
        public void OnTick(long timestamp) => throw new InvalidOperationException("A faulty target.");
    }
}
