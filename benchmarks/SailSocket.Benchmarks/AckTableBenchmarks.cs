using BenchmarkDotNet.Attributes;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.SocketIo.Internal;
using SharedTimer = SailSocket.SocketIo.Internal.SharedTimer;

namespace SailSocket.Benchmarks;

/// <summary>
/// One ack round through the table (add a waiter with a deadline, complete it by id, read the result), against the
/// usual approach: a locked <c>Dictionary&lt;int, TaskCompletionSource&gt;</c> and a per-request <c>CancelAfter</c> timer.
/// </summary>
public class AckTableBenchmarks
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly SocketIoAck _ack = new("""[{"statusCode":200}]"""u8.ToArray(), []);
    private readonly object _gate = new();
    private readonly Dictionary<int, TaskCompletionSource<SocketIoAck>> _naive = [];
    private SharedTimer _timer = null!;
    private AckTable _table = null!;
    private int _nextId;

    [GlobalSetup]
    public void Setup()
    {
        _timer = new SharedTimer(TimeSpan.FromMilliseconds(100));
        _table = new AckTable(_timer);
    }

    [GlobalCleanup]
    public void Cleanup() => _timer.Dispose();

    [Benchmark(Baseline = true, Description = "lock + Dictionary<int, TCS> + CancellationTokenSource(timeout)")]
    public SocketIoAck Naive()
    {
        var completion = new TaskCompletionSource<SocketIoAck>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var deadline = new CancellationTokenSource(s_timeout);
        using var registration = deadline.Token.Register(static state => ((TaskCompletionSource<SocketIoAck>)state!).TrySetException(new TimeoutException()), completion);
        int id;
        lock (_gate)
        {
            id = _nextId++;
            _naive.Add(id, completion);
        }

        TaskCompletionSource<SocketIoAck>? found;
        lock (_gate)
        {
            _naive.Remove(id, out found);
        }

        found!.TrySetResult(_ack);
        return completion.Task.Result;
    }

    [Benchmark(Description = "SailSocket AckTable (shared timer for deadlines)")]
    public SocketIoAck SailSocketTable()
    {
        var pending = _table.Add(s_timeout, CancellationToken.None);
        _table.TryComplete(pending.Id, _ack);
        var wait = pending.AsValueTask();
        if (!wait.IsCompleted)
        {
            throw new InvalidOperationException("The ack was completed synchronously above.");
        }

        return wait.Result; // reading it returns the pooled waiter to the table
    }
}
