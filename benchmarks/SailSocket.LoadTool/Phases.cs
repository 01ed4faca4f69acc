using System.Diagnostics;

namespace SailSocket.LoadTool;

/// <summary>
/// The measurements, the same for every client: sequential round trips, pipelined throughput, many sockets.
/// Every loop is bounded in count and in time, and a watchdog ends a phase that stops making progress.
/// </summary>
internal static class Phases
{
    /// <summary>A cap on the requests of one pipelined phase, whatever its length.</summary>
    private const long MaxPipelinedRequests = 50_000_000;

    /// <summary>How long the pipelined workers may take to finish their last requests after the deadline.</summary>
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(10);

    private static readonly Process s_process = Process.GetCurrentProcess();

    /// <summary>W sequential requests of warm-up, then N measured one at a time.</summary>
    public static async Task<SequentialResult> SequentialAsync(ILoadSocket socket, int n, int warmup, TimeSpan stallTimeout)
    {
        var progress = new Progress();
        await using var watchdog = Watchdog.Start(progress, stallTimeout, socket);
        for (var k = 0; k < warmup; k++)
        {
            await socket.EchoAsync(k);
            progress.Tick();
        }

        var latencies = new long[n];
        var errors = 0;
        var done = 0;
        string? firstError = null;
        Settle();
        var cpu0 = s_process.TotalProcessorTime;
        var items0 = ThreadPool.CompletedWorkItemCount;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        try
        {
            for (; done < n; done++)
            {
                var start = Stopwatch.GetTimestamp();
                var ok = await socket.EchoAsync(warmup + done);
                latencies[done] = Stopwatch.GetTimestamp() - start;
                progress.Tick();
                if (!ok)
                {
                    errors++;
                    firstError ??= "a response was not 200";
                }
            }
        }
        catch (Exception ex)
        {
            firstError = Describe(ex);
            errors++;
        }

        var alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        var items = ThreadPool.CompletedWorkItemCount - items0;
        var cpu = s_process.TotalProcessorTime - cpu0;
        var measured = latencies.AsSpan(0, done);
        measured.Sort();
        return new SequentialResult(
            Requests: done,
            Errors: errors,
            P50Us: Percentile(measured, 0.50),
            P90Us: Percentile(measured, 0.90),
            P99Us: Percentile(measured, 0.99),
            MeanUs: done == 0 ? 0 : Math.Round(Micros(Sum(measured)) / done, 1),
            MaxUs: done == 0 ? 0 : Micros(measured[^1]),
            CpuSecondsPer10k: PerTenThousand(cpu.TotalSeconds, done),
            AllocatedBytesPerRequest: done == 0 ? 0 : Math.Round((double)alloc / done, 1),
            ThreadPoolItemsPerRequest: done == 0 ? 0 : Math.Round((double)items / done, 2),
            FirstError: firstError);
    }

    /// <summary>C workers keep one request each outstanding on the same socket: W requests of warm-up, then T seconds.</summary>
    public static async Task<PipelinedResult> PipelinedAsync(ILoadSocket socket, int concurrency, double seconds, int warmup, TimeSpan stallTimeout, AllocationSampler? sampler = null)
    {
        var progress = new Progress();
        await using var watchdog = Watchdog.Start(progress, stallTimeout, socket);
        var warm = new Run(socket, progress, long.MaxValue, warmup);
        await warm.RunAsync(concurrency);
        if (warm.FirstError is not null)
        {
            return new PipelinedResult(concurrency, 0, 0, warm.Errors, 0, 0, 0, 0, "warm-up: " + warm.FirstError);
        }

        Settle();
        var cpu0 = s_process.TotalProcessorTime;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        sampler?.Start();
        var items0 = ThreadPool.CompletedWorkItemCount;
        var start = Stopwatch.GetTimestamp();
        var run = new Run(socket, progress, start + (long)(seconds * Stopwatch.Frequency), MaxPipelinedRequests);
        var workers = run.RunAsync(concurrency);
        var stalled = 0L;
        if (await Task.WhenAny(workers, Task.Delay(TimeSpan.FromSeconds(seconds) + s_drainTimeout)) != workers)
        {
            // Requests still outstanding long after the deadline (a lost ack): count them as errors and end them.
            stalled = run.Outstanding;
            await socket.DisposeAsync();
            await workers;
        }

        var alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        var items = ThreadPool.CompletedWorkItemCount - items0;
        var cpu = s_process.TotalProcessorTime - cpu0;
        sampler?.Stop();
        var completed = run.Completed;

        // Throughput over the time requests were actually completing, so a stalled drain does not dilute it.
        var elapsed = (run.LastCompletion - start) / (double)Stopwatch.Frequency;
        return new PipelinedResult(
            Concurrency: concurrency,
            Seconds: Math.Round(elapsed, 3),
            Requests: completed,
            Errors: run.Errors + stalled,
            RequestsPerSecond: elapsed > 0 ? Math.Round(completed / elapsed, 1) : 0,
            CpuSecondsPer10k: PerTenThousand(cpu.TotalSeconds, completed),
            AllocatedBytesPerRequest: completed == 0 ? 0 : Math.Round((double)alloc / completed, 1),
            ThreadPoolItemsPerRequest: completed == 0 ? 0 : Math.Round((double)items / completed, 2),
            FirstError: run.FirstError)
        {
            AllocationProfile = sampler?.Top(12),
        };
    }

    /// <summary>Opens K sockets, at most M connecting at once; each then answers one request; the idle cost per socket is measured.</summary>
    public static async Task<SocketsResult> SocketsAsync(ILoadClientFactory factory, int count, int connectConcurrency, TimeSpan timeout)
    {
        var sockets = new ILoadSocket?[count];
        var connectTicks = new long[count];
        var aliveFlags = new bool[count];
        var errors = new ErrorLog();
        Settle();
        var heap0 = GC.GetTotalMemory(forceFullCollection: true);
        s_process.Refresh();
        var workingSet0 = s_process.WorkingSet64;

        var start = Stopwatch.GetTimestamp();
        await ForEachBoundedAsync(count, connectConcurrency, async i =>
        {
            using var bound = new CancellationTokenSource(timeout);
            var began = Stopwatch.GetTimestamp();
            try
            {
                sockets[i] = await factory.ConnectAsync(bound.Token);
                connectTicks[i] = Stopwatch.GetTimestamp() - began;
            }
            catch (Exception ex)
            {
                errors.Add("connect: " + Describe(ex));
            }
        });
        var connectSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        await ForEachBoundedAsync(count, connectConcurrency, async i =>
        {
            if (sockets[i] is not { } socket)
            {
                return;
            }

            try
            {
                aliveFlags[i] = await socket.EchoAsync(i).AsTask().WaitAsync(timeout);
            }
            catch (Exception ex)
            {
                errors.Add("request: " + Describe(ex));
            }
        });

        // Idle: let the request traffic settle, then weigh what the open sockets hold.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Settle();
        var heap1 = GC.GetTotalMemory(forceFullCollection: true);
        s_process.Refresh();
        var workingSet1 = s_process.WorkingSet64;
        var connected = sockets.Count(s => s is not null);
        var alive = aliveFlags.Count(a => a);
        var ticks = connectTicks.Where((_, i) => sockets[i] is not null).Order().ToArray();

        await ForEachBoundedAsync(count, connectConcurrency, async i =>
        {
            if (sockets[i] is { } socket)
            {
                try
                {
                    await socket.DisposeAsync().AsTask().WaitAsync(timeout);
                }
                catch (Exception ex)
                {
                    errors.Add("dispose: " + Describe(ex));
                }
            }
        });

        return new SocketsResult(
            Requested: count,
            ConnectConcurrency: connectConcurrency,
            Connected: connected,
            Alive: alive,
            ConnectSeconds: Math.Round(connectSeconds, 3),
            ConnectP50Ms: Math.Round(Percentile(ticks, 0.50) / 1000, 2),
            ConnectP99Ms: Math.Round(Percentile(ticks, 0.99) / 1000, 2),
            HeapBytesPerSocket: connected == 0 ? 0 : Math.Round((double)(heap1 - heap0) / connected),
            WorkingSetBytesPerSocket: connected == 0 ? 0 : Math.Round((double)(workingSet1 - workingSet0) / connected),
            Errors: errors.Count,
            FirstError: errors.First);
    }

    private static async Task ForEachBoundedAsync(int count, int concurrency, Func<int, Task> body)
    {
        var next = -1;
        var workers = new Task[Math.Min(count, concurrency)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    await body(i);
                }
            });
        }

        await Task.WhenAll(workers);
    }

    /// <summary>A full, compacting collection, so that one phase's garbage is not collected on the next one's time.</summary>
    private static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static double Percentile(ReadOnlySpan<long> sortedTicks, double p) =>
        sortedTicks.IsEmpty ? 0 : Micros(sortedTicks[Math.Min(sortedTicks.Length - 1, (int)Math.Ceiling(p * sortedTicks.Length) - 1)]);

    private static double Micros(long ticks) => Math.Round(ticks * 1_000_000.0 / Stopwatch.Frequency, 1);

    private static long Sum(ReadOnlySpan<long> values)
    {
        long sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum;
    }

    private static double PerTenThousand(double cpuSeconds, long requests) => requests == 0 ? 0 : Math.Round(cpuSeconds * 10_000 / requests, 4);

    private static string Describe(Exception ex) =>
        ex.InnerException is { } inner ? $"{ex.GetType().Name}: {ex.Message} ({inner.GetType().Name}: {inner.Message})" : $"{ex.GetType().Name}: {ex.Message}";

    /// <summary>The pipelined workers: each keeps one request outstanding until the deadline or the count is reached.</summary>
    private sealed class Run(ILoadSocket socket, Progress progress, long deadline, long maxRequests)
    {
        private long _started;
        private long _completed;
        private long _errors;
        private long _lastCompletion;
        private long _inFlight;
        private string? _firstError;

        public long Completed => Volatile.Read(ref _completed);

        public long Errors => Volatile.Read(ref _errors);

        /// <summary>Requests started and neither completed nor failed.</summary>
        public long Outstanding => Volatile.Read(ref _inFlight);

        /// <summary>The <see cref="Stopwatch"/> timestamp of the last completion.</summary>
        public long LastCompletion => Volatile.Read(ref _lastCompletion);

        public string? FirstError => Volatile.Read(ref _firstError);

        public Task RunAsync(int concurrency)
        {
            var workers = new Task[concurrency];
            for (var w = 0; w < concurrency; w++)
            {
                workers[w] = Task.Run(WorkAsync);
            }

            return Task.WhenAll(workers);
        }

        private async Task WorkAsync()
        {
            try
            {
                long k;
                while ((k = Interlocked.Increment(ref _started)) <= maxRequests && Stopwatch.GetTimestamp() < deadline)
                {
                    Interlocked.Increment(ref _inFlight);
                    var ok = await socket.EchoAsync((int)(k & int.MaxValue));
                    Interlocked.Decrement(ref _inFlight);
                    Interlocked.Increment(ref _completed);
                    Volatile.Write(ref _lastCompletion, Stopwatch.GetTimestamp());
                    progress.Tick();
                    if (!ok)
                    {
                        Interlocked.Increment(ref _errors);
                        Interlocked.CompareExchange(ref _firstError, "a response was not 200", null);
                    }
                }
            }
            catch (Exception ex)
            {
                Interlocked.Decrement(ref _inFlight);
                Interlocked.Increment(ref _errors);
                Interlocked.CompareExchange(ref _firstError, Describe(ex), null);
            }
        }
    }

    private sealed class ErrorLog
    {
        private readonly Lock _gate = new();

        public int Count { get; private set; }

        public string? First { get; private set; }

        public void Add(string error)
        {
            lock (_gate)
            {
                Count++;
                First ??= error;
            }
        }
    }
}

/// <summary>A counter of completed requests, read by the <see cref="Watchdog"/>.</summary>
internal sealed class Progress
{
    private long _count;

    public long Count => Volatile.Read(ref _count);

    public void Tick() => Interlocked.Increment(ref _count);
}

/// <summary>
/// Ends a phase that makes no progress for the stall timeout by disposing its socket, which fails every outstanding
/// request (the raw client and SocketIOClient have no request deadline of their own).
/// </summary>
internal sealed class Watchdog : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;

    private Watchdog(Progress progress, TimeSpan stallTimeout, ILoadSocket socket)
    {
        _task = Task.Run(async () =>
        {
            var last = progress.Count;
            var since = Stopwatch.GetTimestamp();
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                    var now = progress.Count;
                    if (now != last)
                    {
                        last = now;
                        since = Stopwatch.GetTimestamp();
                    }
                    else if (Stopwatch.GetElapsedTime(since) > stallTimeout)
                    {
                        await Console.Error.WriteLineAsync($"watchdog: no response for {stallTimeout.TotalSeconds} s, closing the socket");
                        await socket.DisposeAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public static Watchdog Start(Progress progress, TimeSpan stallTimeout, ILoadSocket socket) => new(progress, stallTimeout, socket);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _task;
        _stop.Dispose();
    }
}
