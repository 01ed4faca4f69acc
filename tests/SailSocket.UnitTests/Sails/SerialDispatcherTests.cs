using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using SailSocket.Internal;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>The per-socket dispatcher: handlers run in post order, one at a time, on the thread pool; nothing is lost.</summary>
public sealed class SerialDispatcherTests
{
    /// <summary>The bound on draining tens of thousands of items on a loaded CI machine.</summary>
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Post_FromOneThread_RunsEveryItemInOrder()
    {
        const int Count = 10_000;
        var seen = new List<int>(Count);
        using var done = new ManualResetEventSlim();
        var dispatcher = new SerialDispatcher<int>(item =>
        {
            seen.Add(item);
            if (item == Count - 1)
            {
                done.Set();
            }
        });

        for (var i = 0; i < Count; i++)
        {
            dispatcher.Post(i);
        }

        Assert.True(done.Wait(s_drainTimeout), $"the last of {Count} items never ran");
        Assert.Equal(Count, seen.Count);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(i, seen[i]);
        }
    }

    [Fact]
    public void Post_RunsOnTheThreadPoolNotOnThePoster()
    {
        var posterThread = Environment.CurrentManagedThreadId;
        var handlerThread = -1;
        var onPool = false;
        using var done = new ManualResetEventSlim();
        var dispatcher = new SerialDispatcher<int>(_ =>
        {
            handlerThread = Environment.CurrentManagedThreadId;
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            done.Set();
        });

        dispatcher.Post(1);

        Assert.True(done.Wait(TestTimeouts.Default));
        Assert.NotEqual(posterThread, handlerThread);
        Assert.True(onPool);
    }

    [Fact]
    public void Post_AfterTheQueueDrained_RunsAgain()
    {
        var ran = 0;
        using var signal = new SemaphoreSlim(0);
        var dispatcher = new SerialDispatcher<int>(_ =>
        {
            Interlocked.Increment(ref ran);
            signal.Release();
        });

        for (var round = 1; round <= 50; round++)
        {
            dispatcher.Post(round);
            Assert.True(signal.Wait(TestTimeouts.Default), $"round {round} never ran");

            // Let the drain loop finish and go idle before the next post.
            SpinWait.SpinUntil(() => false, 1);
        }

        Assert.Equal(50, Volatile.Read(ref ran));
    }

    [Fact]
    public void Post_ASlowHandler_LaterItemsWaitTheirTurn()
    {
        using var release = new ManualResetEventSlim();
        using var firstStarted = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        var order = new List<int>();
        var dispatcher = new SerialDispatcher<int>(item =>
        {
            order.Add(item);
            if (item == 0)
            {
                firstStarted.Set();
                release.Wait(TestTimeouts.Default);
            }

            if (item == 2)
            {
                done.Set();
            }
        });

        dispatcher.Post(0);
        Assert.True(firstStarted.Wait(TestTimeouts.Default));
        dispatcher.Post(1);
        dispatcher.Post(2);

        // Items 1 and 2 must not start on another thread while item 0 is still running. A quiet period, not a barrier: a
        // wrongly concurrent drain has no event that says it will not start.
        Assert.False(done.Wait(TestTimeouts.Quiet));
        release.Set();

        Assert.True(done.Wait(TestTimeouts.Default));
        Assert.Equal([0, 1, 2], order);
    }

    [Fact]
    public void Post_FromManyThreadsConcurrently_LosesNothingRunsOneAtATimeKeepsEachPostersOrder()
    {
        const int Threads = 8;
        const int PerThread = 10_000;
        const int Total = Threads * PerThread;
        var running = 0;
        var overlaps = 0;
        var processed = 0;
        var lastSeen = new int[Threads];
        Array.Fill(lastSeen, -1);
        var outOfOrder = 0;
        using var done = new ManualResetEventSlim();
        using var drained = new ManualResetEventSlim();
        var dispatcher = new SerialDispatcher<(int Thread, int Seq)>(item =>
        {
            if (item.Thread < 0)
            {
                drained.Set();
                return;
            }

            if (Interlocked.Increment(ref running) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            // Handlers run one at a time, so this plain read-modify-write is safe only if the dispatcher is serial.
            if (item.Seq != lastSeen[item.Thread] + 1)
            {
                outOfOrder++;
            }

            lastSeen[item.Thread] = item.Seq;
            if ((item.Seq & 255) == 0)
            {
                Thread.SpinWait(20); // widen the window in which a second, concurrent drain would show
            }

            Interlocked.Decrement(ref running);
            if (Interlocked.Increment(ref processed) == Total)
            {
                done.Set();
            }
        });

        using var start = new Barrier(Threads);
        var posters = new Thread[Threads];
        for (var t = 0; t < Threads; t++)
        {
            var id = t;
            posters[t] = new Thread(() =>
            {
                start.SignalAndWait(TestTimeouts.Default);
                for (var seq = 0; seq < PerThread; seq++)
                {
                    dispatcher.Post((id, seq));
                }
            })
            { IsBackground = true, Name = $"poster {t}" };
            posters[t].Start();
        }

        foreach (var poster in posters)
        {
            Assert.True(poster.Join(s_drainTimeout), "a poster thread did not finish");
        }

        Assert.True(done.Wait(s_drainTimeout), $"{Volatile.Read(ref processed)} of {Total} items ran");
        Assert.Equal(0, Volatile.Read(ref overlaps));
        Assert.Equal(0, outOfOrder);
        Assert.All(lastSeen, last => Assert.Equal(PerThread - 1, last));

        // No duplicate deliveries: a marker posted last runs after everything queued before it (the order is FIFO).
        dispatcher.Post((-1, 0));
        Assert.True(drained.Wait(s_drainTimeout), "the marker posted after the last item never ran");
        Assert.Equal(Total, Volatile.Read(ref processed));
        Assert.Equal(0, dispatcher.Pending);
    }

    [Fact]
    public void Post_RightAsTheDrainGoesIdle_NeverStrandsAnItem()
    {
        // Ping-pong: each item is posted the moment the previous one has run, i.e. while the drain loop is between its
        // last TryDequeue and going idle: the window where a lost wake-up would strand the item.
        var processed = 0;
        var dispatcher = new SerialDispatcher<int>(_ => Interlocked.Increment(ref processed));
        var stopwatch = Stopwatch.StartNew();
        var posted = 0;
        while (stopwatch.Elapsed < TimeSpan.FromMilliseconds(500))
        {
            dispatcher.Post(++posted);
            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref processed) != posted)
            {
                Assert.True(deadline.Elapsed < TestTimeouts.Default, $"item {posted} was stranded: it never ran");
                Thread.SpinWait(1);
            }
        }
    }
}
