using System.Text;
using SailSocket.Engine.Transports;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// Batches on a target that can gather writes: messages that queued during a write leave in one batch, their senders
/// complete with the batch's write, a lone message is written at once, and an acquirer (the close) comes after the batch.
/// </summary>
public sealed class SendQueueBatchTests
{
    [Fact]
    public async Task A_lone_message_is_written_at_once_without_a_batch()
    {
        var socket = new BatchingSocket();
        var queue = new SendQueue(socket);

        await queue.SendAsync(Text("a"), null, long.MaxValue, CancellationToken.None);
        await queue.SendAsync(Text("b"), null, long.MaxValue, CancellationToken.None);

        Assert.Equal(["a", "b"], socket.Log);
    }

    [Fact]
    public async Task Messages_queued_during_a_write_leave_in_one_batch_and_complete_with_it()
    {
        var socket = new BatchingSocket();
        var queue = new SendQueue(socket);
        var gate = socket.BlockNextWrite();
        var first = queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask();
        var queued = Enumerable.Range(0, 5).Select(i => queue.SendAsync(Text($"q{i}"), null, 100 + i, CancellationToken.None).AsTask()).ToList();
        var flush = socket.BlockNextFlush();

        gate.SetResult();
        await first.WaitAsync(TestTimeouts.Default);
        await socket.FlushStarted.WaitAsync(TestTimeouts.Default);

        Assert.Equal(["first", "begin", "q0", "q1", "q2", "q3", "q4", "end"], socket.Log);
        await Task.Delay(TestTimeouts.Quiet);
        Assert.All(queued, t => Assert.False(t.IsCompleted));

        // The batch's write holds the socket with the earliest deadline of its messages.
        Assert.False(queue.IsStalled(50, long.MaxValue));
        Assert.True(queue.IsStalled(100, long.MaxValue));

        flush.SetResult();
        await Task.WhenAll(queued).WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task A_failed_batch_write_fails_every_sender_of_the_batch()
    {
        var socket = new BatchingSocket { FailFlush = true };
        var queue = new SendQueue(socket);
        var gate = socket.BlockNextWrite();
        var first = queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask();
        var queued = Enumerable.Range(0, 3).Select(i => queue.SendAsync(Text($"q{i}"), null, long.MaxValue, CancellationToken.None).AsTask()).ToList();

        gate.SetResult();
        await first.WaitAsync(TestTimeouts.Default);

        foreach (var send in queued)
        {
            await Assert.ThrowsAsync<IOException>(() => send.WaitAsync(TestTimeouts.Default));
        }

        // The queue is free again.
        await queue.SendAsync(Text("after"), null, long.MaxValue, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task An_acquirer_behind_a_batch_gets_the_socket_after_the_batch_is_written()
    {
        var socket = new BatchingSocket();
        var queue = new SendQueue(socket);
        var gate = socket.BlockNextWrite();
        var first = queue.SendAsync(Text("first"), null, long.MaxValue, CancellationToken.None).AsTask();
        var a = queue.SendAsync(Text("a"), null, long.MaxValue, CancellationToken.None).AsTask();
        var b = queue.SendAsync(Text("b"), null, long.MaxValue, CancellationToken.None).AsTask();
        var acquire = queue.AcquireAsync(CancellationToken.None).AsTask();
        var c = queue.SendAsync(Text("c"), null, long.MaxValue, CancellationToken.None).AsTask();

        gate.SetResult();
        await acquire.WaitAsync(TestTimeouts.Default);
        socket.Log.Add("acquired");
        queue.Release();
        await Task.WhenAll(first, a, b, c).WaitAsync(TestTimeouts.Default);

        Assert.Equal(["first", "begin", "a", "b", "end", "acquired", "c"], socket.Log);
    }

    private static ReadOnlyMemory<byte> Text(string text) => Encoding.UTF8.GetBytes(text);

    private sealed class BatchingSocket : ISendTarget
    {
        private TaskCompletionSource? _blockWrite;
        private TaskCompletionSource? _blockFlush;
        private readonly TaskCompletionSource _flushStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Log { get; } = [];

        public bool FailFlush { get; init; }

        public Task FlushStarted => _flushStarted.Task;

        public bool CanBatch => true;

        public TaskCompletionSource BlockNextWrite() => _blockWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource BlockNextFlush() => _blockFlush = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask WriteAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary)
        {
            lock (Log)
            {
                Log.Add(Encoding.UTF8.GetString(text.Span));
            }

            var block = Interlocked.Exchange(ref _blockWrite, null);
            return block is null ? default : new ValueTask(block.Task);
        }

        public void BeginBatch()
        {
            lock (Log)
            {
                Log.Add("begin");
            }
        }

        public ValueTask EndBatchAsync()
        {
            lock (Log)
            {
                Log.Add("end");
            }

            _flushStarted.TrySetResult();
            if (FailFlush)
            {
                return ValueTask.FromException(new IOException("reset"));
            }

            var block = Interlocked.Exchange(ref _blockFlush, null);
            return block is null ? default : new ValueTask(block.Task);
        }
    }
}
