using System;
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
/// The receive loop's ack hand-off: the ack completed last runs its continuation on the loop's thread only once the
/// loop's own continuation is registered with a receive that waits; every other ack completes the usual way.
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
    public async Task ReceiveAlreadyComplete_KeepsTheAckHeld_UntilTheNextAckQueuesIt()
    {
        var handoff = new AckHandoff();
        var first = _table.Add(s_timeout, CancellationToken.None);
        var second = _table.Add(s_timeout, CancellationToken.None);
        var firstObserved = Observe(first);
        var secondObserved = Observe(second);
        handoff.Complete(_table.TryTake(first.Id)!, Ack("[1]"));

        // Data was already there: the loop goes on without waiting, and nothing runs here.
        Assert.True(handoff.WaitFor(new ValueTask<EngineMessage>(default(EngineMessage))).GetAwaiter().IsCompleted);
        Assert.False(first.IsCompleted);

        handoff.Complete(_table.TryTake(second.Id)!, Ack("[2]"));
        await firstObserved.Done.Task.WaitAsync(s_timeout);
        Assert.Equal("[1]", firstObserved.Result);
        Assert.NotEqual(Environment.CurrentManagedThreadId, firstObserved.Thread);
        Assert.False(second.IsCompleted);

        handoff.Flush();
        await secondObserved.Done.Task.WaitAsync(s_timeout);
        Assert.Equal("[2]", secondObserved.Result);
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
