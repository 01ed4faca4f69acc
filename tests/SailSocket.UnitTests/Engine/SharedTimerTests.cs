using System;
using System.Collections.Generic;
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

    private static long Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds).Ticks;

    private sealed class RecordingTarget : ITimerTarget
    {
        public List<long> Ticks { get; } = [];

        public void OnTick(long timestamp) => Ticks.Add(timestamp);
    }

    private sealed class ThrowingTarget : ITimerTarget
    {
        public void OnTick(long timestamp) => throw new InvalidOperationException("A faulty target.");
    }
}
