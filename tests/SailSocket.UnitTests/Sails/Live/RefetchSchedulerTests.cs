using System;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Live.Internal;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails.Live;

/// <summary>The refetch scheduler on a manual clock: a flood costs one fetch, never two at once, failures retried.</summary>
public sealed class RefetchSchedulerTests
{
    private static readonly TimeSpan s_delay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_flood_of_requests_costs_one_fetch_after_the_delay()
    {
        var time = new ManualTimeProvider();
        var fetches = 0;
        var done = new SemaphoreSlim(0);
        await using var scheduler = new RefetchScheduler(time, s_delay, s_retry, _ => { Interlocked.Increment(ref fetches); done.Release(); return Task.CompletedTask; }, _ => { });

        for (var i = 0; i < 10_000; i++)
        {
            scheduler.Request();
        }

        time.Advance(s_delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, Volatile.Read(ref fetches));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await done.WaitAsync(TestTimeouts.Default));
        await WaitIdle(scheduler);
        Assert.Equal(1, Volatile.Read(ref fetches));
        Assert.Equal(0, time.ActiveTimerCount);
    }

    [Fact]
    public async Task Requests_during_a_fetch_make_exactly_one_more()
    {
        var time = new ManualTimeProvider();
        var inFlight = 0;
        var maxInFlight = 0;
        var fetches = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new SemaphoreSlim(0);
        await using var scheduler = new RefetchScheduler(time, s_delay, s_retry, async _ =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            Interlocked.Increment(ref fetches);
            started.Release();
            await release.Task;
            Interlocked.Decrement(ref inFlight);
        }, _ => { });

        scheduler.Request();
        time.Advance(s_delay);
        Assert.True(await started.WaitAsync(TestTimeouts.Default));
        for (var i = 0; i < 100; i++)
        {
            scheduler.Request();
        }

        release.SetResult();
        await Until(() => time.ActiveTimerCount == 1);
        time.Advance(s_delay);
        Assert.True(await started.WaitAsync(TestTimeouts.Default));
        await WaitIdle(scheduler);
        Assert.Equal(2, Volatile.Read(ref fetches));
        Assert.Equal(1, Volatile.Read(ref maxInFlight));
    }

    [Fact]
    public async Task A_failed_fetch_is_retried_after_the_retry_delay_and_reported()
    {
        var time = new ManualTimeProvider();
        var attempts = 0;
        Exception? reported = null;
        await using var scheduler = new RefetchScheduler(time, s_delay, s_retry, _ =>
            Interlocked.Increment(ref attempts) == 1 ? Task.FromException(new InvalidOperationException("boom")) : Task.CompletedTask,
            e => reported = e);

        var first = scheduler.RunAsync(CancellationToken.None);
        time.Advance(TimeSpan.Zero);
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(TestTimeouts.Default));
        Assert.Equal("boom", reported?.Message);
        await Until(() => time.ActiveTimerCount == 1);
        time.Advance(s_retry);
        await Until(() => Volatile.Read(ref attempts) == 2);
        await WaitIdle(scheduler);
    }

    [Fact]
    public async Task Disposing_during_a_fetch_cancels_it_and_fails_waiters()
    {
        var time = new ManualTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancel = false;
        var scheduler = new RefetchScheduler(time, s_delay, s_retry, async ct =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                sawCancel = true;
                throw;
            }
        }, _ => { });

        var run = scheduler.RunAsync(CancellationToken.None);
        time.Advance(TimeSpan.Zero);
        await started.Task.WaitAsync(TestTimeouts.Default);
        var waiter = scheduler.RunAsync(CancellationToken.None);
        await scheduler.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);

        Assert.True(sawCancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestTimeouts.Default));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiter.WaitAsync(TestTimeouts.Default));
        Assert.False(scheduler.IsBusy);
        Assert.Equal(0, time.ActiveTimerCount);
        scheduler.Request(); // after disposal: nothing
        Assert.Equal(0, time.ActiveTimerCount);
    }

    [Fact]
    public async Task A_wait_given_up_by_its_token_leaves_no_unobserved_exception_when_disposal_fails_it()
    {
        var time = new ManualTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var unobserved = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            // Other tests run meanwhile: count only this scheduler's kind of error.
            if (e.Exception.InnerExceptions is [ObjectDisposedException { ObjectName: "LiveCollection" }])
            {
                Interlocked.Increment(ref unobserved);
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await GiveUpAndDisposeAsync(time, started);
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            Assert.Equal(0, Volatile.Read(ref unobserved));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    /// <summary>What LiveCollection.StartAsync does when its token ends the first fetch: stop waiting, then dispose.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task GiveUpAndDisposeAsync(ManualTimeProvider time, TaskCompletionSource started)
    {
        var scheduler = new RefetchScheduler(time, s_delay, s_retry, async ct =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }, _ => { });
        using var giveUp = new CancellationTokenSource();
        var first = scheduler.RunAsync(CancellationToken.None);
        time.Advance(TimeSpan.Zero);
        await started.Task.WaitAsync(TestTimeouts.Default);
        var waiting = scheduler.RunAsync(giveUp.Token);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await scheduler.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(TestTimeouts.Default));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static Task WaitIdle(RefetchScheduler scheduler) => Until(() => !scheduler.IsBusy);

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(5);
        }
    }
}
