using System;
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

/// <summary>Pending acks by id, their deadlines on a <see cref="SharedTimer"/> driven by a manual clock, cancellation and close.</summary>
public sealed class AckTableTests : IDisposable
{
    private static readonly TimeSpan s_resolution = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);

    private readonly ManualTimeProvider _clock = new();
    private readonly SharedTimer _timer;
    private readonly AckTable _table;
    private readonly IDisposable _registration;

    public AckTableTests()
    {
        _timer = new SharedTimer(s_resolution, _clock);
        _table = new AckTable(_timer);
        _registration = _timer.Register(_table);
    }

    public void Dispose()
    {
        _registration.Dispose();
        _timer.Dispose();
    }

    [Fact]
    public void Add_HandsOutIdsFromZeroUpward()
    {
        var ids = new int[5];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = _table.Add(s_timeout, CancellationToken.None).Id;
        }

        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, ids);
        Assert.Equal(5, _table.Count);
    }

    [Fact]
    public void Add_AtTheLimit_Throws_WithoutTakingAnId_UntilAWaiterLeaves()
    {
        var table = new AckTable(_timer, maxPending: 2);
        var first = table.Add(s_timeout, CancellationToken.None);
        table.Add(s_timeout, CancellationToken.None);

        var ex = Assert.Throws<SocketIoAckLimitException>(() => table.Add(s_timeout, CancellationToken.None));

        Assert.Equal(2, ex.Limit);
        Assert.Equal(2, table.Count);
        Assert.True(table.TryComplete(first.Id, new SocketIoAck(ReadOnlyMemory<byte>.Empty, [])));
        Assert.Equal(2, table.Add(s_timeout, CancellationToken.None).Id);
    }

    [Fact]
    public void Add_DoesNotReuseIdsOfCompletedWaiters()
    {
        var first = _table.Add(s_timeout, CancellationToken.None);
        _table.TryComplete(first.Id, Ack("[0]"));

        var second = _table.Add(s_timeout, CancellationToken.None);

        Assert.Equal(1, second.Id);
    }

    [Fact]
    public async Task TryComplete_CompletesTheWaiterWithThatId()
    {
        var zero = _table.Add(s_timeout, CancellationToken.None);
        var one = _table.Add(s_timeout, CancellationToken.None);
        var two = _table.Add(s_timeout, CancellationToken.None);
        var ack = Ack("""[{"statusCode":200}]""");

        Assert.True(_table.TryComplete(1, ack));

        Assert.Equal(ack, await one.AsValueTask().AsTask().WaitAsync(TestTimeouts.Default));
        Assert.False(zero.IsCompleted);
        Assert.False(two.IsCompleted);
        Assert.Equal(2, _table.Count);
    }

    [Fact]
    public async Task TryComplete_OutOfOrder_MatchesById()
    {
        var waiters = new[] { _table.Add(s_timeout, CancellationToken.None), _table.Add(s_timeout, CancellationToken.None), _table.Add(s_timeout, CancellationToken.None) };

        foreach (var id in new[] { 2, 0, 1 })
        {
            Assert.True(_table.TryComplete(id, Ack($"[{id}]")));
        }

        for (var id = 0; id < waiters.Length; id++)
        {
            var ack = await waiters[id].AsValueTask().AsTask().WaitAsync(TestTimeouts.Default);
            Assert.Equal($"[{id}]", System.Text.Encoding.UTF8.GetString(ack.Arguments.Span));
        }

        Assert.Equal(0, _table.Count);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-1)]
    [InlineData((long)int.MaxValue + 1)]
    [InlineData(long.MaxValue)]
    public void TryComplete_UnknownId_IsIgnored(long id)
    {
        var pending = _table.Add(s_timeout, CancellationToken.None);

        Assert.False(_table.TryComplete(id, Ack("[]")));

        Assert.False(pending.IsCompleted);
        Assert.Equal(1, _table.Count);
    }

    [Fact]
    public async Task TryComplete_SecondAckForTheSameId_IsIgnored()
    {
        var pending = _table.Add(s_timeout, CancellationToken.None);
        var first = Ack("[1]");

        Assert.True(_table.TryComplete(pending.Id, first));
        Assert.False(_table.TryComplete(pending.Id, Ack("[2]")));

        Assert.Equal(first, await pending.AsValueTask().AsTask().WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Deadline_FailsWithTimeoutOnlyOnceItHasPassed()
    {
        var pending = _table.Add(s_timeout, CancellationToken.None);

        _clock.Advance(s_timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, _table.Count);

        // The deadline is at exactly 1 s, and the 100 ms grid lands on it.
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        var ex = await Assert.ThrowsAsync<SocketIoTimeoutException>(() => pending.AsValueTask().AsTask().WaitAsync(TestTimeouts.Default));
        Assert.Contains("1000 ms", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void Deadline_FiresAtTheFirstTickAfterIt_NeverEarly()
    {
        // Added at 50 ms with a 130 ms timeout: due at 180 ms, seen by the 200 ms tick.
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        var pending = _table.Add(TimeSpan.FromMilliseconds(130), CancellationToken.None);

        _clock.Advance(TimeSpan.FromMilliseconds(149));
        Assert.False(pending.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(pending.Status == ValueTaskSourceStatus.Faulted);
        Assert.IsType<SocketIoTimeoutException>(ErrorOf(pending));
    }

    [Fact]
    public void Deadline_ExpiresOnlyTheWaitersThatAreDue()
    {
        var shortWait = _table.Add(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        var longWait = _table.Add(TimeSpan.FromMilliseconds(500), CancellationToken.None);
        var completed = _table.Add(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        _table.TryComplete(completed.Id, Ack("[]"));

        _clock.Advance(TimeSpan.FromMilliseconds(300));

        Assert.True(shortWait.Status == ValueTaskSourceStatus.Faulted);
        Assert.False(longWait.IsCompleted);
        Assert.True(completed.Status == ValueTaskSourceStatus.Succeeded);
        Assert.Equal(1, _table.Count);

        _clock.Advance(TimeSpan.FromMilliseconds(200));

        Assert.True(longWait.Status == ValueTaskSourceStatus.Faulted);
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void Deadline_AfterTheEarliestWaiterCompleted_LaterDeadlinesStillFire()
    {
        var early = _table.Add(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        var late = _table.Add(TimeSpan.FromMilliseconds(300), CancellationToken.None);
        _table.TryComplete(early.Id, Ack("[]"));

        _clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.False(late.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(late.Status == ValueTaskSourceStatus.Faulted);
    }

    [Fact]
    public void Deadline_InfiniteTimeout_NeverExpires()
    {
        var forever = _table.Add(Timeout.InfiniteTimeSpan, CancellationToken.None);
        var bounded = _table.Add(s_timeout, CancellationToken.None);

        _clock.Advance(TimeSpan.FromDays(1));

        Assert.False(forever.IsCompleted);
        Assert.True(bounded.Status == ValueTaskSourceStatus.Faulted);
        Assert.Equal(1, _table.Count);
    }

    [Fact]
    public async Task Cancellation_CancelsWithTheCallersTokenAndRemovesTheWaiter()
    {
        using var cts = new CancellationTokenSource();
        var pending = _table.Add(s_timeout, cts.Token);
        var other = _table.Add(s_timeout, CancellationToken.None);

        await cts.CancelAsync();

        Assert.True(pending.Status == ValueTaskSourceStatus.Canceled);
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsValueTask().AsTask().WaitAsync(TestTimeouts.Default));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(1, _table.Count);
        Assert.False(_table.TryComplete(pending.Id, Ack("[]")));
        Assert.False(other.IsCompleted);
    }

    [Fact]
    public void Cancellation_AlreadyCancelledToken_CancelsAtOnce()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var pending = _table.Add(s_timeout, cts.Token);

        Assert.True(pending.Status == ValueTaskSourceStatus.Canceled);
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public async Task Cancellation_AfterCompletion_DoesNotChangeTheResult()
    {
        using var cts = new CancellationTokenSource();
        var pending = _table.Add(s_timeout, cts.Token);
        var ack = Ack("[]");
        _table.TryComplete(pending.Id, ack);

        await cts.CancelAsync();

        Assert.Equal(ack, await pending.AsValueTask().AsTask().WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public void Cancellation_AfterTimeout_StaysATimeout()
    {
        using var cts = new CancellationTokenSource();
        var pending = _table.Add(s_timeout, cts.Token);
        _clock.Advance(s_timeout);

        cts.Cancel();

        Assert.IsType<SocketIoTimeoutException>(ErrorOf(pending));
    }

    [Fact]
    public async Task Close_FailsEveryWaiterAndRefusesNewOnes()
    {
        var a = _table.Add(s_timeout, CancellationToken.None);
        var b = _table.Add(s_timeout, CancellationToken.None);
        var error = new SocketIoDisconnectedException(SocketIoDisconnectReason.TransportClose, "gone");

        _table.Close(error);

        Assert.Same(error, await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => a.AsValueTask().AsTask().WaitAsync(TestTimeouts.Default)));
        Assert.Same(error, await Assert.ThrowsAsync<SocketIoDisconnectedException>(() => b.AsValueTask().AsTask().WaitAsync(TestTimeouts.Default)));
        Assert.Equal(0, _table.Count);
        Assert.Same(error, Assert.Throws<SocketIoDisconnectedException>(() => _table.Add(s_timeout, CancellationToken.None)));
    }

    [Fact]
    public void Close_Twice_KeepsTheFirstError()
    {
        var first = new SocketIoDisconnectedException(SocketIoDisconnectReason.ServerDisconnect, "first");
        _table.Close(first);

        _table.Close(new SocketIoDisconnectedException(SocketIoDisconnectReason.TransportClose, "second"));

        Assert.Same(first, Assert.Throws<SocketIoDisconnectedException>(() => _table.Add(s_timeout, CancellationToken.None)));
    }

    [Fact]
    public void Close_ThenTickAndLateAck_ChangeNothing()
    {
        var pending = _table.Add(s_timeout, CancellationToken.None);
        var error = new SocketIoDisconnectedException(SocketIoDisconnectReason.TransportClose, "gone");
        _table.Close(error);

        _clock.Advance(s_timeout * 2);
        Assert.False(_table.TryComplete(pending.Id, Ack("[]")));

        Assert.Same(error, ErrorOf(pending));
    }

    [Fact]
    public async Task Completion_RunsContinuationsAsynchronously()
    {
        // Continuations must never run inline on the receive loop that completes the ack.
        var pending = _table.Add(s_timeout, CancellationToken.None);
        var continuation = ThreadAfterAwaitAsync(pending);
        var completingThread = -1;
        var completer = new Thread(() =>
        {
            completingThread = Environment.CurrentManagedThreadId;
            Assert.True(_table.TryComplete(pending.Id, Ack("[]")));
        });

        completer.Start();

        var ran = await continuation.WaitAsync(TestTimeouts.Default);
        Assert.True(completer.Join(TestTimeouts.Default));
        Assert.NotEqual(completingThread, ran);
    }

    private static async Task<int> ThreadAfterAwaitAsync(PendingAck pending)
    {
        await pending.AsValueTask().ConfigureAwait(false);
        return Environment.CurrentManagedThreadId;
    }

    /// <summary>The error a completed waiter holds (reading it returns the waiter to the pool).</summary>
    private static Exception? ErrorOf(PendingAck pending)
    {
        Assert.True(pending.IsCompleted);
        var task = pending.AsValueTask().AsTask();
        Assert.True(task.IsCompleted);
        return task.Exception?.InnerException;
    }

    private static SocketIoAck Ack(string json) => new(System.Text.Encoding.UTF8.GetBytes(json), []);
}
