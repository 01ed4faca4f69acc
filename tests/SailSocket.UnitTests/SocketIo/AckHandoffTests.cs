using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.SocketIo.Internal;
using SailSocket.UnitTests.Infrastructure;
using Xunit;
using SharedTimer = SailSocket.SocketIo.Internal.SharedTimer;

namespace SailSocket.UnitTests.SocketIo;

/// <summary>
/// The receive loop's ack hand-off: the acks held since the loop last waited run their continuations on the loop's thread,
/// in order, only once the loop's own continuation is registered with a receive that waits; a held-up burst gives the
/// rest back to the thread pool at its second tick.
/// </summary>
public sealed class AckHandoffTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly ManualTimeProvider _clock = new();
    private readonly SharedTimer _timer;
    private readonly AckTable _table;

    public AckHandoffTests()
    {
        _timer = new SharedTimer(TimeSpan.FromMilliseconds(100), _clock);
        _table = new AckTable(_timer, waiterPool: new AckWaiterPool(8));
    }

    public void Dispose() => _timer.Dispose();

    [Fact]
    public async Task HeldAck_RunsOnTheLoopsThread_AfterTheLoopsContinuationIsRegistered()
    {
        var handoff = new AckHandoff();
        var pending = _table.Add(s_timeout, CancellationToken.None);
        var registered = false;
        var sawRegistered = (bool?)null;
        var observed = Observe(pending, () => sawRegistered = registered);
        var receive = new TaskCompletionSource<EngineMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var loopResumed = new ManualResetEventSlim();

        handoff.Complete(_table.TryTake(pending.Id)!, Ack("[1]"));
        Assert.False(pending.IsCompleted);

        var awaiter = handoff.WaitFor(new ValueTask<EngineMessage>(receive.Task)).GetAwaiter();
        Assert.False(awaiter.IsCompleted);
        awaiter.UnsafeOnCompleted(() =>
        {
            registered = true;
            loopResumed.Set();
        });

        // It ran inside UnsafeOnCompleted, on this thread, before the loop resumed (SocketIoClientTests
        // .EmitWithAck_AContinuationThatBlocks_DoesNotHoldUpTheAcksAfterIt shows it runs after the loop is registered).
        Assert.Equal(Environment.CurrentManagedThreadId, observed.Thread);
        Assert.Equal("[1]", observed.Result);
        Assert.False(sawRegistered);
        Assert.False(loopResumed.IsSet);

        receive.SetResult(default);
        await observed.Done.Task.WaitAsync(s_timeout);
        Assert.True(loopResumed.Wait(s_timeout));
    }

    [Fact]
    public async Task ReceiveAlreadyComplete_KeepsTheAcksHeld_UntilAReceiveWaits_ThenRunsThemHereInOrder()
    {
        var handoff = new AckHandoff();
        var first = _table.Add(s_timeout, CancellationToken.None);
        var second = _table.Add(s_timeout, CancellationToken.None);
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var firstObserved = Observe(first, () => order.Enqueue("first"));
        var secondObserved = Observe(second, () => order.Enqueue("second"));
        handoff.Complete(_table.TryTake(first.Id)!, Ack("[1]"));

        // Data was already there: the loop goes on without waiting, and nothing runs here.
        Assert.True(handoff.WaitFor(new ValueTask<EngineMessage>(default(EngineMessage))).GetAwaiter().IsCompleted);
        Assert.False(first.IsCompleted);

        // The burst goes on: both are held.
        handoff.Complete(_table.TryTake(second.Id)!, Ack("[2]"));
        Assert.False(first.IsCompleted);
        Assert.Equal(2, handoff.HeldCount);

        // The loop waits for the network: both run on this thread, in arrival order.
        var receive = new TaskCompletionSource<EngineMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        handoff.WaitFor(new ValueTask<EngineMessage>(receive.Task)).GetAwaiter().UnsafeOnCompleted(static () => { });
        Assert.Equal(0, handoff.HeldCount);
        Assert.Equal(Environment.CurrentManagedThreadId, firstObserved.Thread);
        Assert.Equal(Environment.CurrentManagedThreadId, secondObserved.Thread);
        Assert.Equal("[1]", firstObserved.Result);
        Assert.Equal("[2]", secondObserved.Result);
        Assert.Equal(["first", "second"], order);
        await Task.WhenAll(firstObserved.Done.Task, secondObserved.Done.Task).WaitAsync(s_timeout);
        receive.SetResult(default);
    }

    [Fact]
    public async Task AContinuationThatBlocksInABurst_HoldsUpTheAcksAfterIt_UntilTheSecondTickThatSeesIt()
    {
        var handoff = new AckHandoff();
        var first = _table.Add(s_timeout, CancellationToken.None);
        var second = _table.Add(s_timeout, CancellationToken.None);
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        var firstObserved = Observe(first, () =>
        {
            entered.Set();
            gate.Wait(s_timeout);
        });
        var secondObserved = Observe(second);
        handoff.Complete(_table.TryTake(first.Id)!, Ack("[1]"));
        handoff.Complete(_table.TryTake(second.Id)!, Ack("[2]"));

        var receive = new TaskCompletionSource<EngineMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new Thread(() => handoff.WaitFor(new ValueTask<EngineMessage>(receive.Task)).GetAwaiter().UnsafeOnCompleted(static () => { }));
        runner.Start();
        Assert.True(entered.Wait(s_timeout));

        // The first tick only notes the burst; another namespace's call on the same tick changes nothing.
        handoff.OnTick(1);
        handoff.OnTick(1);
        Assert.False(second.IsCompleted);

        // The second tick finds it where it was: the ack after the blocked one completes the usual way.
        handoff.OnTick(2);
        await secondObserved.Done.Task.WaitAsync(s_timeout);
        Assert.Equal("[2]", secondObserved.Result);
        Assert.NotEqual(runner.ManagedThreadId, secondObserved.Thread);
        Assert.False(firstObserved.Done.Task.IsCompleted);

        gate.Set();
        Assert.True(runner.Join(s_timeout));
        await firstObserved.Done.Task.WaitAsync(s_timeout);
        Assert.Equal("[1]", firstObserved.Result);
        Assert.Equal(runner.ManagedThreadId, firstObserved.Thread);

        // The next burst runs on its own list, here.
        var third = _table.Add(s_timeout, CancellationToken.None);
        var fourth = _table.Add(s_timeout, CancellationToken.None);
        var thirdObserved = Observe(third);
        var fourthObserved = Observe(fourth);
        handoff.Complete(_table.TryTake(third.Id)!, Ack("[3]"));
        handoff.Complete(_table.TryTake(fourth.Id)!, Ack("[4]"));
        var next = new TaskCompletionSource<EngineMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        handoff.WaitFor(new ValueTask<EngineMessage>(next.Task)).GetAwaiter().UnsafeOnCompleted(static () => { });
        Assert.Equal(Environment.CurrentManagedThreadId, thirdObserved.Thread);
        Assert.Equal(Environment.CurrentManagedThreadId, fourthObserved.Thread);
        Assert.Equal("[4]", fourthObserved.Result);
        receive.SetResult(default);
        next.SetResult(default);
    }

    [Fact]
    public void ATickThatReadABurstBeforeItsListWasReusedLeavesTheNewBurstAlone()
    {
        var list = new HeldAcks();
        var first = _table.Add(s_timeout, CancellationToken.None);
        list.Add(_table.TryTake(first.Id)!, Ack("[1]"));
        var stale = list.State;

        // Its runner finishes and the list is reused for the next burst before the tick acts on what it read.
        Assert.True(list.TryClaim(out var claimed, out var ack));
        claimed.Complete(ack);
        Assert.True(list.TryReset());
        var second = _table.Add(s_timeout, CancellationToken.None);
        list.Add(_table.TryTake(second.Id)!, Ack("[2]"));

        list.CompleteRest(stale, takenOver: true);
        Assert.False(second.IsCompleted);
        Assert.True(list.TryClaim(out var next, out _));
        Assert.Same(second, next);

        // A tick that reads the current state takes the rest, and the list is then not reused.
        var third = _table.Add(s_timeout, CancellationToken.None);
        Assert.True(list.TryReset());
        list.Add(_table.TryTake(third.Id)!, Ack("[3]"));
        list.CompleteRest(list.State, takenOver: true);
        Assert.True(third.IsCompleted);
        Assert.False(list.TryClaim(out _, out _));
        Assert.False(list.TryReset());
        next.Complete(default);
    }

    [Fact]
    public async Task AtMostMaxHeld_AreHeld_TheEarlierOnesAreQueuedInOrder()
    {
        var handoff = new AckHandoff();
        var table = new AckTable(_timer, waiterPool: new AckWaiterPool(AckHandoff.MaxHeld + 8));
        var count = AckHandoff.MaxHeld + 5;
        var observed = new Observed[count];
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            var pending = table.Add(s_timeout, CancellationToken.None);
            ids[i] = pending.Id;
            observed[i] = Observe(pending);
        }

        for (var i = 0; i < count; i++)
        {
            handoff.Complete(table.TryTake(ids[i])!, Ack($"[{i}]"));
            Assert.InRange(handoff.HeldCount, 1, AckHandoff.MaxHeld);
        }

        // The first MaxHeld went to the thread pool when the list was full; the rest are held.
        await Task.WhenAll(observed.Take(AckHandoff.MaxHeld).Select(o => o.Done.Task)).WaitAsync(s_timeout);
        Assert.Equal(count - AckHandoff.MaxHeld, handoff.HeldCount);
        Assert.False(observed[AckHandoff.MaxHeld].Done.Task.IsCompleted);

        handoff.Flush();
        await Task.WhenAll(observed.Select(o => o.Done.Task)).WaitAsync(s_timeout);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal($"[{i}]", observed[i].Result);
        }
    }

    [Fact]
    public async Task Flush_CompletesTheHeldAckWithItsAnswer_OnTheThreadPool()
    {
        var handoff = new AckHandoff();
        var pending = _table.Add(s_timeout, CancellationToken.None);
        var observed = Observe(pending);
        handoff.Complete(_table.TryTake(pending.Id)!, Ack("[\"late\"]"));

        handoff.Flush();
        handoff.Flush();

        await observed.Done.Task.WaitAsync(s_timeout);
        Assert.Equal("[\"late\"]", observed.Result);
        Assert.NotEqual(Environment.CurrentManagedThreadId, observed.Thread);
    }

    [Fact]
    public async Task AWaiterCompletedInline_IsReusedWithAsynchronousContinuationsAgain()
    {
        var handoff = new AckHandoff();
        var pending = _table.Add(s_timeout, CancellationToken.None);
        var observed = Observe(pending);
        var receive = new TaskCompletionSource<EngineMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        handoff.Complete(_table.TryTake(pending.Id)!, Ack("[1]"));
        handoff.WaitFor(new ValueTask<EngineMessage>(receive.Task)).GetAwaiter().UnsafeOnCompleted(static () => { });
        Assert.Equal(Environment.CurrentManagedThreadId, observed.Thread);

        // The same waiter serves the next emit; completed the usual way, its continuation must not run on the completer.
        var next = _table.Add(s_timeout, CancellationToken.None);
        Assert.Same(pending, next);
        var nextObserved = Observe(next);
        using var blocker = new ManualResetEventSlim();
        var completer = new Thread(() =>
        {
            _table.TryComplete(next.Id, Ack("[2]"));
            blocker.Wait(s_timeout);
        });
        completer.Start();
        await nextObserved.Done.Task.WaitAsync(s_timeout);
        blocker.Set();
        completer.Join();
        Assert.Equal("[2]", nextObserved.Result);
        Assert.NotEqual(completer.ManagedThreadId, nextObserved.Thread);
        receive.SetResult(default);
    }

    /// <summary>Registers a continuation on the waiter's one wait (no context) that records where it ran and what it read.</summary>
    private static Observed Observe(PendingAck pending, Action? onRun = null)
    {
        var observed = new Observed();
#pragma warning disable CA2012 // Consumed once, through this awaiter.
        var awaiter = pending.AsValueTask().ConfigureAwait(false).GetAwaiter();
#pragma warning restore CA2012
        awaiter.UnsafeOnCompleted(() =>
        {
            observed.Thread = Environment.CurrentManagedThreadId;
            onRun?.Invoke();
            observed.Result = Utf8(awaiter.GetResult().Arguments);
            observed.Done.TrySetResult();
        });
        return observed;
    }

    private sealed class Observed
    {
        public int? Thread { get; set; }

        public string? Result { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static SocketIoAck Ack(string json) => new(System.Text.Encoding.UTF8.GetBytes(json), []);

    private static string Utf8(ReadOnlyMemory<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes.Span);
}
