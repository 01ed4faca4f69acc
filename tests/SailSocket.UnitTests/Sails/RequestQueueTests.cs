using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Connection;
using SailSocket.Requests;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// <see cref="RequestQueue"/> on its own, on a manual clock: its modes, the order it sends in, deadlines, cancellation and
/// its bound. The queue uses a <see cref="LiveConnection"/> only as an identity, so the tests use one made without a
/// constructor (never connected); the sends are the tests' own.
/// </summary>
public sealed class RequestQueueTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly List<string> _sent = [];
    private readonly LiveConnection _connection = NewConnection();

    [Fact]
    public void NewQueue_IsRejecting_ThrowsSailsConnectionException()
    {
        var queue = new RequestQueue(10, _time);

        var ex = Assert.Throws<SailsConnectionException>(() => queue.EnqueueUnlessOpen(Request("/a")));

        Assert.Contains("/a", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, queue.Count);
        Assert.Null(queue.TryGetOpen());
    }

    [Fact]
    public async Task Holding_ThenFlush_SendsInOrderExactlyOnce_ThenOpens()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        var a = Request("/a");
        var b = Request("/b");
        var c = Request("/c");

        Assert.Null(queue.EnqueueUnlessOpen(a));
        Assert.Null(queue.EnqueueUnlessOpen(b));
        Assert.Null(queue.EnqueueUnlessOpen(c));
        Assert.Equal(3, queue.Count);
        Assert.Null(queue.TryGetOpen());

        queue.BeginFlush(_connection);
        Assert.Null(queue.TryGetOpen());
        queue.Flush(_connection);

        Assert.Equal(["/a", "/b", "/c"], Sent());
        Assert.Equal("/a", Body(await a.Task.WaitAsync(TestTimeouts.Default)));
        Assert.Equal("/b", Body(await b.Task.WaitAsync(TestTimeouts.Default)));
        Assert.Equal("/c", Body(await c.Task.WaitAsync(TestTimeouts.Default)));
        Assert.Equal(0, queue.Count);
        Assert.Same(_connection, queue.TryGetOpen());
        Assert.Same(_connection, queue.EnqueueUnlessOpen(Request("/d")));

        // Started requests hold no deadline timer any more.
        Assert.Equal(0, _time.ActiveTimerCount);
        queue.Flush(_connection);
        Assert.Equal(["/a", "/b", "/c"], Sent());
    }

    [Fact]
    public void Flushing_ARequestMadeBeforeTheFlush_WaitsBehindTheQueuedOnes()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        queue.EnqueueUnlessOpen(Request("/a"));
        queue.EnqueueUnlessOpen(Request("/b"));
        queue.BeginFlush(_connection);

        // Connected, not flushed yet: a new request still waits, behind the others.
        Assert.Null(queue.EnqueueUnlessOpen(Request("/c")));
        queue.Flush(_connection);

        Assert.Equal(["/a", "/b", "/c"], Sent());
    }

    [Fact]
    public void Flushing_ARequestMadeWhileTheQueueIsBeingSent_GoesOutAfterThem()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        QueuedRequest? late = null;
        queue.EnqueueUnlessOpen(Request("/a", send: (connection, remaining, token) =>
        {
            Record("/a");

            // Made while the flush is under way (the first send is running): it must not overtake /b.
            late = Request("/late", token: CancellationToken.None);
            Assert.Null(queue.EnqueueUnlessOpen(late));
            return ValueTask.FromResult(Response("/a"));
        }));
        queue.EnqueueUnlessOpen(Request("/b"));
        queue.BeginFlush(_connection);

        queue.Flush(_connection);

        Assert.Equal(["/a", "/b", "/late"], Sent());
        Assert.True(late!.Task.IsCompletedSuccessfully);
        Assert.Same(_connection, queue.TryGetOpen());
    }

    [Fact]
    public async Task Deadline_ExpiresAtTheDeadlineNotBefore_FailsWithSailsTimeoutAndLeavesTheQueue()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        var shortOne = Request("/short", TimeSpan.FromSeconds(10));
        var longOne = Request("/long", TimeSpan.FromSeconds(60));
        queue.EnqueueUnlessOpen(shortOne);
        queue.EnqueueUnlessOpen(longOne);

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(shortOne.Task.IsCompleted);
        Assert.Equal(2, queue.Count);

        _time.Advance(TimeSpan.FromTicks(1));
        var ex = await Assert.ThrowsAsync<SailsTimeoutException>(() => shortOne.Task.WaitAsync(TestTimeouts.Default));
        Assert.Contains("/short", ex.Message, StringComparison.Ordinal);
        Assert.Contains("never sent", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, queue.Count);
        Assert.False(longOne.Task.IsCompleted);

        // The expired request is not sent when the socket connects; the other one is.
        queue.BeginFlush(_connection);
        queue.Flush(_connection);
        Assert.Equal(["/long"], Sent());
        Assert.True(longOne.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public void Flush_SendsWithWhatIsLeftOfTheTimeout()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        var remaining = TimeSpan.Zero;
        queue.EnqueueUnlessOpen(Request("/a", TimeSpan.FromSeconds(30), send: (_, left, _) =>
        {
            remaining = left;
            return ValueTask.FromResult(Response("/a"));
        }));

        _time.Advance(TimeSpan.FromSeconds(12));
        queue.BeginFlush(_connection);
        queue.Flush(_connection);

        Assert.Equal(TimeSpan.FromSeconds(18), remaining);
    }

    [Fact]
    public void Deadline_InfiniteTimeout_ArmsNoTimer()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        var request = Request("/forever", Timeout.InfiniteTimeSpan);

        queue.EnqueueUnlessOpen(request);
        _time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(0, _time.CreatedTimerCount);
        Assert.False(request.Task.IsCompleted);
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Cancellation_RemovesTheRequest_AndCancelsItsTask()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        using var cts = new CancellationTokenSource();
        var cancelled = Request("/cancelled", token: cts.Token);
        var kept = Request("/kept");
        queue.EnqueueUnlessOpen(cancelled);
        queue.EnqueueUnlessOpen(kept);

        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Task.WaitAsync(TestTimeouts.Default));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(1, queue.Count);

        // Its deadline timer went with it; the kept request's stays.
        Assert.Equal(1, _time.ActiveTimerCount);
        queue.BeginFlush(_connection);
        queue.Flush(_connection);
        Assert.Equal(["/kept"], Sent());
    }

    [Fact]
    public void Cancellation_AlreadyCancelledToken_RemovesTheRequestAtOnce()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        var request = Request("/x", token: new CancellationToken(canceled: true));

        queue.EnqueueUnlessOpen(request);

        Assert.True(request.Task.IsCanceled);
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, _time.ActiveTimerCount);
    }

    [Fact]
    public void MaxQueuedRequests_OneMore_ThrowsSailsLimitExceeded()
    {
        var queue = new RequestQueue(2, _time);
        queue.Hold();
        queue.EnqueueUnlessOpen(Request("/1"));
        queue.EnqueueUnlessOpen(Request("/2"));

        var ex = Assert.Throws<SailsLimitExceededException>(() => queue.EnqueueUnlessOpen(Request("/3")));

        Assert.Equal(nameof(SailsClientOptions.MaxQueuedRequests), ex.OptionName);
        Assert.Equal(2, ex.Limit);
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void MaxQueuedRequests_Zero_RefusesEveryQueuedRequest()
    {
        var queue = new RequestQueue(0, _time);
        queue.Hold();

        Assert.Throws<SailsLimitExceededException>(() => queue.EnqueueUnlessOpen(Request("/1")));
    }

    [Fact]
    public async Task Reject_FailsEverythingWaiting_ThenNewRequestsFailAtOnce()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        var a = Request("/a");
        var b = Request("/b");
        queue.EnqueueUnlessOpen(a);
        queue.EnqueueUnlessOpen(b);
        var reason = new SailsConnectionException("gave up");

        queue.Reject(reason);

        Assert.Same(reason, await Assert.ThrowsAsync<SailsConnectionException>(() => a.Task.WaitAsync(TestTimeouts.Default)));
        Assert.Same(reason, await Assert.ThrowsAsync<SailsConnectionException>(() => b.Task.WaitAsync(TestTimeouts.Default)));
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, _time.ActiveTimerCount);
        Assert.Throws<SailsConnectionException>(() => queue.EnqueueUnlessOpen(Request("/c")));
        Assert.Empty(Sent());
    }

    [Fact]
    public async Task Close_FailsEverythingWaiting_ThenThrowsObjectDisposed_AndStaysClosed()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        var a = Request("/a");
        queue.EnqueueUnlessOpen(a);

        queue.Close(new ObjectDisposedException("socket"));

        await Assert.ThrowsAsync<ObjectDisposedException>(() => a.Task.WaitAsync(TestTimeouts.Default));
        Assert.Throws<ObjectDisposedException>(() => queue.EnqueueUnlessOpen(Request("/b")));

        // No later mode change reopens a closed queue.
        queue.Hold();
        queue.BeginFlush(_connection);
        queue.Reject(new SailsConnectionException("late"));
        Assert.Throws<ObjectDisposedException>(() => queue.EnqueueUnlessOpen(Request("/c")));
        Assert.Null(queue.TryGetOpen());
    }

    [Fact]
    public void Flush_ForAConnectionThatIsNotTheCurrentOne_SendsNothing()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        queue.EnqueueUnlessOpen(Request("/a"));
        queue.BeginFlush(_connection);

        queue.Flush(NewConnection());

        Assert.Empty(Sent());
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Flush_ConnectionLostMeanwhile_LeavesTheRestQueued()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        queue.EnqueueUnlessOpen(Request("/a"));
        queue.BeginFlush(_connection);

        // Lost before the socket flushed: holding again for the next connection.
        queue.Hold();
        queue.Flush(_connection);

        Assert.Empty(Sent());
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Flush_ASendThatNeverReachedTheWire_IsRequeuedInItsPlace_WhileReconnecting()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        var attempts = 0;
        var a = Request("/a", send: (_, _, _) =>
        {
            Record("/a");
            if (++attempts > 1)
            {
                return ValueTask.FromResult(Response("/a"));
            }

            // The connection died under the flush: the socket holds again, and this send never reached the wire.
            queue.Hold();
            return ValueTask.FromException<SailsResponse>(new SailsConnectionException("not sent"));
        });
        var b = Request("/b");
        queue.EnqueueUnlessOpen(a);
        queue.EnqueueUnlessOpen(b);
        queue.BeginFlush(_connection);
        queue.Flush(_connection);

        // /b was started after the loss too, and succeeded; /a waits again for the next connection.
        Assert.False(a.Task.IsCompleted);
        Assert.Equal(1, queue.Count);
        var next = NewConnection();
        queue.BeginFlush(next);
        queue.Flush(next);

        Assert.Equal(["/a", "/b", "/a"], Sent());
        Assert.Equal("/a", Body(await a.Task.WaitAsync(TestTimeouts.Default)));
        Assert.Equal("/b", Body(await b.Task.WaitAsync(TestTimeouts.Default)));
    }

    [Fact]
    public async Task Flush_ASendThatMayHaveBeenProcessed_FailsAndIsNotRequeued()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        var interrupted = new SailsRequestInterruptedException("sent, then lost");
        var a = Request("/a", send: (_, _, _) =>
        {
            Record("/a");
            queue.Hold();
            return ValueTask.FromException<SailsResponse>(interrupted);
        });
        queue.EnqueueUnlessOpen(a);
        queue.BeginFlush(_connection);
        queue.Flush(_connection);

        Assert.Same(interrupted, await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => a.Task.WaitAsync(TestTimeouts.Default)));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void TryEnqueueAfterLoss_OnTheOpenConnectionThatDied_WaitsOnlyWithReconnection()
    {
        var queue = new RequestQueue(10, _time);
        queue.Hold();
        queue.BeginFlush(_connection);
        queue.Flush(_connection);

        Assert.False(queue.TryEnqueueAfterLoss(Request("/a"), _connection, reconnectionEnabled: false));
        Assert.False(queue.TryEnqueueAfterLoss(Request("/a"), NewConnection(), reconnectionEnabled: true));
        Assert.True(queue.TryEnqueueAfterLoss(Request("/a"), _connection, reconnectionEnabled: true));
        Assert.Equal(1, queue.Count);
    }

    private static LiveConnection NewConnection() => (LiveConnection)RuntimeHelpers.GetUninitializedObject(typeof(LiveConnection));

    private static SailsResponse Response(string body)
    {
        var json = Encoding.UTF8.GetBytes(body);
        return new SailsResponse(200, json, 0, json.Length, -1, new Dictionary<string, string>(), [], "get", body);
    }

    private static string Body(SailsResponse response) => response.Body.ToString();

    private QueuedRequest Request(string url, TimeSpan? timeout = null, QueuedSend? send = null, CancellationToken token = default)
    {
        var t = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = t == Timeout.InfiniteTimeSpan ? long.MaxValue : _time.GetTimestamp() + t.Ticks;
        return new QueuedRequest("get", url, t, deadline, send ?? ((_, _, _) =>
        {
            Record(url);
            return ValueTask.FromResult(Response(url));
        }), token);
    }

    private void Record(string url)
    {
        lock (_sent)
        {
            _sent.Add(url);
        }
    }

    private string[] Sent()
    {
        lock (_sent)
        {
            return [.. _sent];
        }
    }
}
