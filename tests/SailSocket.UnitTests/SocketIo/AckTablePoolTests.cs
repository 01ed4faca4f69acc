using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.SocketIo.Internal;
using SailSocket.UnitTests.Infrastructure;
using Xunit;
using SharedTimer = SailSocket.SocketIo.Internal.SharedTimer;

namespace SailSocket.UnitTests.SocketIo;

/// <summary>
/// The pooled ack waiters: reused after their result is read, completed exactly once when the ack, the timer,
/// cancellation, close and a failed send race, and never touched by a finished emit once they serve the next one.
/// </summary>
public sealed class AckTablePoolTests : IDisposable
{
    private static readonly TimeSpan s_resolution = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);

    /// <summary>The most waiters each test's own pool keeps.</summary>
    private const int Capacity = 32;

    /// <summary>A pool of this test's own, so that counts are not shared with other tests (the real tables share one).</summary>
    private readonly AckWaiterPool _pool = new(Capacity);
    private readonly ManualTimeProvider _clock = new();
    private readonly SharedTimer _timer;

    public AckTablePoolTests() => _timer = new SharedTimer(s_resolution, _clock);

    public void Dispose() => _timer.Dispose();

    [Fact]
    public async Task SequentialEmits_ReuseOneWaiter()
    {
        var table = new AckTable(_timer, waiterPool: _pool);
        using var registration = _timer.Register(table);

        for (var i = 0; i < 1_000; i++)
        {
            var pending = table.Add(s_timeout, CancellationToken.None);
            Assert.Equal(i, pending.Id);
            var ack = Ack($"[{i}]");
            Assert.True(table.TryComplete(pending.Id, ack));
            Assert.Equal(ack, await pending.AsValueTask());
        }

        Assert.Equal(1, _pool.CreatedCount);
        Assert.Equal(1, _pool.Count);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public async Task Tables_ShareOnePool_SoAnIdleTableKeepsNoWaiter()
    {
        var first = new AckTable(_timer, waiterPool: _pool);
        var second = new AckTable(_timer, waiterPool: _pool);

        var one = first.Add(s_timeout, CancellationToken.None);
        Assert.True(first.TryComplete(one.Id, Ack("[1]")));
        await one.AsValueTask();
        Assert.Equal(1, _pool.Count);

        // The finished waiter of the first table serves the second; the first keeps nothing of it.
        var two = second.Add(s_timeout, CancellationToken.None);
        Assert.Same(one, two);
        Assert.Equal(0, _pool.Count);
        Assert.False(first.TryComplete(two.Id, Ack("[\"stray\"]")));
        var ack = Ack("[2]");
        Assert.True(second.TryComplete(two.Id, ack));
        Assert.Equal(ack, await two.AsValueTask());
        Assert.Equal(1, _pool.CreatedCount);
        Assert.Equal(0, first.Count + second.Count);
    }

    [Fact]
    public async Task ConcurrentEmits_PoolStaysBounded()
    {
        var table = new AckTable(_timer, waiterPool: _pool);
        var waiters = new PendingAck[Capacity * 2];
        for (var i = 0; i < waiters.Length; i++)
        {
            waiters[i] = table.Add(s_timeout, CancellationToken.None);
        }

        foreach (var pending in waiters)
        {
            Assert.True(table.TryComplete(pending.Id, Ack("[]")));
            _ = await pending.AsValueTask();
        }

        Assert.Equal(waiters.Length, _pool.CreatedCount);
        Assert.Equal(Capacity, _pool.Count);
    }

    [Fact]
    public async Task ReadingTheResult_InvalidatesTheOldToken()
    {
        var table = new AckTable(_timer, waiterPool: _pool);
        var pending = table.Add(s_timeout, CancellationToken.None);
        var token = pending.Version;
        table.TryComplete(pending.Id, Ack("[]"));
        _ = await pending.AsValueTask();

        IValueTaskSource<SocketIoAck> source = pending;
        Assert.NotEqual(token, pending.Version);
        Assert.Throws<InvalidOperationException>(() => source.GetResult(token));
        Assert.Throws<InvalidOperationException>(() => source.GetStatus(token));
    }

    [Fact]
    public async Task LateAckAfterTimeout_DoesNotTouchTheReusedWaiter()
    {
        var table = new AckTable(_timer, waiterPool: _pool);
        using var registration = _timer.Register(table);
        var first = table.Add(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        var firstId = first.Id;
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAsync<SocketIoTimeoutException>(async () => await first.AsValueTask());

        var second = table.Add(s_timeout, CancellationToken.None);
        Assert.Same(first, second);
        Assert.NotEqual(firstId, second.Id);

        Assert.False(table.TryComplete(firstId, Ack("[\"late\"]")));
        Assert.False(second.IsCompleted);
        var ack = Ack("[\"second\"]");
        Assert.True(table.TryComplete(second.Id, ack));
        Assert.Equal(ack, await second.AsValueTask());
    }

    [Fact]
    public async Task CancellingAFinishedEmitsToken_DoesNotCancelTheReusedWaiter()
    {
        var table = new AckTable(_timer, waiterPool: _pool);
        using var cts = new CancellationTokenSource();
        var first = table.Add(s_timeout, cts.Token);
        table.TryComplete(first.Id, Ack("[]"));
        _ = await first.AsValueTask();

        var second = table.Add(s_timeout, CancellationToken.None);
        Assert.Same(first, second);
        await cts.CancelAsync();

        Assert.False(second.IsCompleted);
        Assert.Equal(1, table.Count);
        var ack = Ack("[1]");
        Assert.True(table.TryComplete(second.Id, ack));
        Assert.Equal(ack, await second.AsValueTask());
    }

    [Fact]
    public void Abandon_OfAnUnsentEmit_ReturnsTheWaiterWithoutCompletingIt()
    {
        var table = new AckTable(_timer, waiterPool: _pool);
        using var cts = new CancellationTokenSource();
        var pending = table.Add(s_timeout, cts.Token);

        pending.Abandon();
        cts.Cancel();

        Assert.False(pending.IsCompleted);
        Assert.Equal(0, table.Count);
        Assert.Equal(1, _pool.Count);
        Assert.Same(pending, table.Add(s_timeout, CancellationToken.None));
    }

    [Fact]
    public void Abandon_AfterCloseFailedIt_KeepsItOutOfThePool()
    {
        var table = new AckTable(_timer, waiterPool: _pool);
        var pending = table.Add(s_timeout, CancellationToken.None);
        table.Close(new SocketIoDisconnectedException(SocketIoDisconnectReason.TransportClose, "gone"));

        pending.Abandon();

        Assert.Equal(ValueTaskSourceStatus.Faulted, pending.Status);
        Assert.Equal(0, _pool.Count);
    }

    [Fact]
    public async Task AckTimerCancellationAndClose_Racing_CompleteEachWaiterExactlyOnce()
    {
        const int Rounds = 300;
        var outcomes = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var clock = new ManualTimeProvider();
            using var timer = new SharedTimer(s_resolution, clock);
            var table = new AckTable(timer, waiterPool: _pool);
            using var registration = timer.Register(table);
            using var cts = new CancellationTokenSource();
            var pending = table.Add(TimeSpan.FromMilliseconds(100), cts.Token);
            var id = pending.Id;
            var ack = Ack("[]");
            var closed = new SocketIoDisconnectedException(SocketIoDisconnectReason.TransportClose, "gone");

            var racers = new Action[]
            {
                () => table.TryComplete(id, ack),
                () => table.TryComplete(id, ack),
                cts.Cancel,
                () => clock.Advance(TimeSpan.FromMilliseconds(100)),
                () => table.Close(closed),
            };
            using var start = new Barrier(racers.Length);
            var errors = new ConcurrentQueue<Exception>();
            var threads = Array.ConvertAll(racers, racer => new Thread(() =>
            {
                start.SignalAndWait(TestTimeouts.Default);
                try
                {
                    racer();
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                }
            }));
            foreach (var thread in threads)
            {
                thread.Start();
            }

            foreach (var thread in threads)
            {
                Assert.True(thread.Join(TestTimeouts.Default));
            }

            Assert.Empty(errors);
            Assert.Equal(0, table.Count);
            _ = await OutcomeAsync(pending.AsValueTask().AsTask().WaitAsync(TestTimeouts.Default), ack, closed);
            outcomes++;

            // Read once: back in the pool, reset for the next emit, nothing left that can complete it.
            Assert.Equal(1, _pool.Count);
            Assert.Equal(ValueTaskSourceStatus.Pending, pending.Status);
        }

        Assert.Equal(Rounds, outcomes);
    }

    private static async Task<string> OutcomeAsync(Task<SocketIoAck> wait, SocketIoAck ack, Exception closed)
    {
        try
        {
            Assert.Equal(ack, await wait);
            return "ack";
        }
        catch (SocketIoTimeoutException)
        {
            return "timeout";
        }
        catch (OperationCanceledException)
        {
            return "cancelled";
        }
        catch (SocketIoDisconnectedException ex)
        {
            Assert.Same(closed, ex);
            return "closed";
        }
    }

    private static SocketIoAck Ack(string json) => new(System.Text.Encoding.UTF8.GetBytes(json), []);
}
