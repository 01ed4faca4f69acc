using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine.Transports;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// The WebSocket send queue: one write at a time, in arrival order, each sender told of its own write's outcome,
/// queued senders cancellable without touching the socket, waiters reused.
/// </summary>
public sealed class SendQueueTests
{
    [Fact]
    public async Task UncontendedSends_WriteAtOnce_AndCreateNoWaiter()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);

        for (var i = 0; i < 100; i++)
        {
            var send = queue.SendAsync(Text($"m{i}"), null, long.MaxValue, CancellationToken.None);
            Assert.True(send.IsCompletedSuccessfully);
            await send;
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"m{i}"), socket.Written);
        Assert.Equal(0, queue.CreatedCount);
    }

    [Fact]
    public async Task SendsDuringAWrite_AreWrittenInOrder_OnceItFinishes()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);
        var gate = socket.BlockNext();

        var first = queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask();
        var queued = Enumerable.Range(0, 5).Select(i => queue.SendAsync(Text($"q{i}"), null, long.MaxValue, CancellationToken.None).AsTask()).ToArray();
        Assert.Equal(5, queue.QueuedCount);
        Assert.All(queued, t => Assert.False(t.IsCompleted));

        gate.SetResult();
        await first.WaitAsync(TestTimeouts.Default);
        await Task.WhenAll(queued).WaitAsync(TestTimeouts.Default);
        Assert.Equal(new[] { "first", "q0", "q1", "q2", "q3", "q4" }, socket.Written);
        Assert.Equal(1, socket.MaxConcurrentWrites);
        Assert.Equal(0, queue.QueuedCount);
    }

    [Fact]
    public async Task ManyThreads_EveryMessageWrittenOnce_OneAtATime()
    {
        var socket = new RecordingSocket { YieldEvery = 7 };
        var queue = new SendQueue(socket);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await queue.SendAsync(Text($"{t}:{i}"), null, long.MaxValue, CancellationToken.None);
            }
        }))).WaitAsync(TestTimeouts.Default);

        Assert.Equal(1, socket.MaxConcurrentWrites);
        Assert.Equal(1600, socket.Written.Count);
        Assert.Equal(1600, socket.Written.Distinct().Count());

        // Each sender's messages keep its order.
        for (var t = 0; t < 8; t++)
        {
            var mine = socket.Written.Where(m => m.StartsWith($"{t}:", StringComparison.Ordinal)).Select(m => int.Parse(m[(m.IndexOf(':') + 1)..])).ToArray();
            Assert.Equal(Enumerable.Range(0, 200), mine);
        }

        Assert.InRange(queue.CreatedCount, 0, 64);
    }

    [Fact]
    public async Task AFailedWrite_FailsOnlyItsSender()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);
        var gate = socket.BlockNext();

        var first = queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask();
        socket.FailOn = "bad";
        var bad = queue.SendAsync(Text("bad"), null, long.MaxValue, CancellationToken.None).AsTask();
        var good = queue.SendAsync(Text("good"), null, long.MaxValue, CancellationToken.None).AsTask();

        gate.SetResult();
        await first.WaitAsync(TestTimeouts.Default);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad.WaitAsync(TestTimeouts.Default));
        Assert.Equal("write of bad failed", error.Message);
        await good.WaitAsync(TestTimeouts.Default);
        Assert.Equal(new[] { "first", "good" }, socket.Written);
    }

    [Fact]
    public async Task AnOwnWriteThatFails_ReportsItsError_AndFreesTheSocket()
    {
        var socket = new RecordingSocket { FailOn = "bad" };
        var queue = new SendQueue(socket);

        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.SendAsync(Text("bad"), null, long.MaxValue, CancellationToken.None).AsTask());
        await queue.SendAsync(Text("after"), null, long.MaxValue, CancellationToken.None);
        Assert.Equal(new[] { "after" }, socket.Written);
    }

    [Fact]
    public async Task CancellingAQueuedSend_RemovesIt_WithoutWriting()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);
        var gate = socket.BlockNext();
        using var cts = new CancellationTokenSource();

        var first = queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask();
        var cancelled = queue.SendAsync(Text("cancelled"), null, long.MaxValue, cts.Token).AsTask();
        var kept = queue.SendAsync(Text("kept"), null, long.MaxValue, CancellationToken.None).AsTask();
        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TestTimeouts.Default));
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(1, queue.QueuedCount);

        gate.SetResult();
        await Task.WhenAll(first, kept).WaitAsync(TestTimeouts.Default);
        Assert.Equal(new[] { "first", "kept" }, socket.Written);
    }

    [Fact]
    public async Task AnAlreadyCancelledToken_IsRefusedOnlyWhenTheSendWouldWait()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        // Free socket: the write happens (the token bounds only the wait).
        await queue.SendAsync(Text("free"), null, long.MaxValue, cts.Token);

        var gate = socket.BlockNext();
        var first = queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.SendAsync(Text("late"), null, long.MaxValue, cts.Token).AsTask());
        gate.SetResult();
        await first.WaitAsync(TestTimeouts.Default);
        Assert.Equal(new[] { "free", "first" }, socket.Written);
    }

    [Fact]
    public async Task Acquire_WaitsForQueuedMessages_AndHoldsLaterOnesUntilRelease()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);
        var gate = socket.BlockNext();

        var first = queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask();
        var before = queue.SendAsync(Text("before"), null, long.MaxValue, CancellationToken.None).AsTask();
        var acquire = queue.AcquireAsync(CancellationToken.None).AsTask();
        var after = queue.SendAsync(Text("after"), null, long.MaxValue, CancellationToken.None).AsTask();
        Assert.False(acquire.IsCompleted);

        gate.SetResult();
        await acquire.WaitAsync(TestTimeouts.Default);
        await before.WaitAsync(TestTimeouts.Default);
        Assert.Equal(new[] { "first", "before" }, socket.Written);
        Assert.False(after.IsCompleted);

        queue.Release();
        await after.WaitAsync(TestTimeouts.Default);
        Assert.Equal(new[] { "first", "before", "after" }, socket.Written);
    }

    [Fact]
    public async Task AcquireOfAFreeSocket_CompletesAtOnce_AndReleaseFreesIt()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);

        var acquire = queue.AcquireAsync(CancellationToken.None);
        Assert.True(acquire.IsCompletedSuccessfully);
        await acquire;
        var held = queue.SendAsync(Text("held"), null, long.MaxValue, CancellationToken.None).AsTask();
        Assert.False(held.IsCompleted);

        queue.Release();
        await held.WaitAsync(TestTimeouts.Default);
        await queue.SendAsync(Text("free again"), null, long.MaxValue, CancellationToken.None);
        Assert.Equal(new[] { "held", "free again" }, socket.Written);
    }

    [Fact]
    public async Task QueuedWaiters_AreReused()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);

        for (var round = 0; round < 50; round++)
        {
            var gate = socket.BlockNext();
            var first = queue.SendAsync(Text("own"), null, long.MaxValue, CancellationToken.None).AsTask();
            var queued = new[]
            {
                queue.SendAsync(Text("a"), null, long.MaxValue, CancellationToken.None).AsTask(),
                queue.SendAsync(Text("b"), null, long.MaxValue, CancellationToken.None).AsTask(),
            };
            gate.SetResult();
            await Task.WhenAll(queued.Append(first)).WaitAsync(TestTimeouts.Default);
        }

        Assert.Equal(2, queue.CreatedCount);
        Assert.Equal(150, socket.Written.Count);
    }

    [Fact]
    public async Task AttachmentsFollowTheirMessage_BeforeTheNextSender()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);
        var gate = socket.BlockNext();

        var first = queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask();
        var withBinary = queue.SendAsync(Text("event"), [Text("att0"), Text("att1")], long.MaxValue, CancellationToken.None).AsTask();
        var next = queue.SendAsync(Text("next"), null, long.MaxValue, CancellationToken.None).AsTask();

        gate.SetResult();
        await Task.WhenAll(first, withBinary, next).WaitAsync(TestTimeouts.Default);
        Assert.Equal(new[] { "first", "event", "att0", "att1", "next" }, socket.Written);
    }

    private static ReadOnlyMemory<byte> Text(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A write function that records messages; it can hold one write open, fail one message, or yield now and then.</summary>
    [Fact]
    public async Task A_write_that_holds_the_socket_past_the_send_timeout_is_stalled()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);
        Assert.False(queue.IsStalled(0, sendTimeout: 100));

        var gate = socket.BlockNext();
        var first = queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask();
        Assert.False(queue.IsStalled(10, sendTimeout: 100)); // first seen: the write started at most a tick ago
        Assert.False(queue.IsStalled(60, sendTimeout: 100));
        Assert.False(queue.IsStalled(109, sendTimeout: 100));
        Assert.True(queue.IsStalled(110, sendTimeout: 100));

        gate.SetResult();
        await first.WaitAsync(TestTimeouts.Default);
        Assert.False(queue.IsStalled(1_000, sendTimeout: 100));
    }

    [Fact]
    public async Task A_write_past_its_own_deadline_or_a_queued_message_past_its_deadline_is_stalled()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);
        var gate = socket.BlockNext();
        var first = queue.SendAsync(Text("first"), null, deadline: 50, CancellationToken.None).AsTask();
        Assert.False(queue.IsStalled(0, sendTimeout: long.MaxValue));
        Assert.False(queue.IsStalled(49, sendTimeout: long.MaxValue));
        Assert.True(queue.IsStalled(50, sendTimeout: long.MaxValue));
        gate.SetResult();
        await first.WaitAsync(TestTimeouts.Default);

        // The write in progress has no deadline, a message queued behind it has one.
        gate = socket.BlockNext();
        var head = queue.SendAsync(Text("head"), null, long.MaxValue, CancellationToken.None).AsTask();
        var queued = queue.SendAsync(Text("queued"), null, deadline: 200, CancellationToken.None).AsTask();
        Assert.False(queue.IsStalled(100, sendTimeout: long.MaxValue));
        Assert.False(queue.IsStalled(199, sendTimeout: long.MaxValue));
        Assert.True(queue.IsStalled(200, sendTimeout: long.MaxValue));
        gate.SetResult();
        await Task.WhenAll(head, queued).WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Writes_that_keep_completing_are_never_stalled_even_past_a_deadline()
    {
        var socket = new RecordingSocket();
        var queue = new SendQueue(socket);
        var gate = socket.BlockNext();
        var head = queue.SendAsync(Text("head"), null, long.MaxValue, CancellationToken.None).AsTask();
        var queued = queue.SendAsync(Text("queued"), null, deadline: 10, CancellationToken.None).AsTask();
        Assert.False(queue.IsStalled(0, sendTimeout: long.MaxValue));

        // The head completes and the queued message's write blocks in turn: the socket changed hands since the last tick.
        var second = socket.BlockNext();
        gate.SetResult();
        await head.WaitAsync(TestTimeouts.Default);
        Assert.False(queue.IsStalled(20, sendTimeout: long.MaxValue));
        Assert.True(queue.IsStalled(21, sendTimeout: long.MaxValue));
        second.SetResult();
        await queued.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task AWriteThatCompletesBetweenTheQueuesTwoChecks_IsASuccess_AndTheQueueMovesOn()
    {
        // The write reports "pending" when first asked and "succeeded" from then on: it finished on another thread in
        // between, as a socket send may. The queue must neither report an error nor map a null one (it once threw here).
        var socket = new CompletesWhileCheckedSocket();
        var queue = new SendQueue(socket) { MapError = new ThrowingMap() };

        await queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        await queue.SendAsync(Text("second"), null, long.MaxValue, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal(2, socket.Writes);
    }

    /// <summary>Each write's ValueTask says pending at its first status check, then succeeded.</summary>
    private sealed class CompletesWhileCheckedSocket : ISendTarget, System.Threading.Tasks.Sources.IValueTaskSource
    {
        private int _checks;

        public int Writes { get; private set; }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary)
        {
            Writes++;
            _checks = 0;
            return new ValueTask(this, 0);
        }

        public System.Threading.Tasks.Sources.ValueTaskSourceStatus GetStatus(short token) =>
            _checks++ == 0 ? System.Threading.Tasks.Sources.ValueTaskSourceStatus.Pending : System.Threading.Tasks.Sources.ValueTaskSourceStatus.Succeeded;

        public void GetResult(short token)
        {
        }

        public void OnCompleted(Action<object?> continuation, object? state, short token, System.Threading.Tasks.Sources.ValueTaskSourceOnCompletedFlags flags) =>
            continuation(state);
    }

    /// <summary>An error map that must not be asked: no write fails here.</summary>
    private sealed class ThrowingMap : ISendErrorMap
    {
        public Exception Map(Exception error) => throw new InvalidOperationException($"Asked to map {error?.GetType().Name ?? "null"}.");
    }

    private sealed class RecordingSocket : ISendTarget
    {
        private readonly object _gate = new();
        private TaskCompletionSource? _block;
        private int _writing;
        private int _count;

        public List<string> Written { get; } = [];

        public int MaxConcurrentWrites { get; private set; }

        public string? FailOn { get; set; }

        /// <summary>Every n-th write completes asynchronously (0: never).</summary>
        public int YieldEvery { get; init; }

        public TaskCompletionSource BlockNext()
        {
            var block = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _block = block;
            return block;
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary)
        {
            var now = Interlocked.Increment(ref _writing);
            lock (_gate)
            {
                MaxConcurrentWrites = Math.Max(MaxConcurrentWrites, now);
            }

            var message = Encoding.UTF8.GetString(text.Span);
            if (message == FailOn)
            {
                Interlocked.Decrement(ref _writing);
                throw new InvalidOperationException($"write of {message} failed");
            }

            var block = Interlocked.Exchange(ref _block, null);
            if (block is not null)
            {
                return Finish(block.Task, message, binary);
            }

            if (YieldEvery > 0 && Interlocked.Increment(ref _count) % YieldEvery == 0)
            {
                return Finish(YieldAsync(), message, binary);
            }

            Record(message, binary);
            Interlocked.Decrement(ref _writing);
            return default;
        }

        private static async Task YieldAsync() => await Task.Yield();

        private async ValueTask Finish(Task wait, string message, IReadOnlyList<ReadOnlyMemory<byte>>? binary)
        {
            await wait;
            Record(message, binary);
            Interlocked.Decrement(ref _writing);
        }

        private void Record(string message, IReadOnlyList<ReadOnlyMemory<byte>>? binary)
        {
            lock (_gate)
            {
                Written.Add(message);
                foreach (var attachment in binary ?? [])
                {
                    Written.Add(Encoding.UTF8.GetString(attachment.Span));
                }
            }
        }
    }
}
