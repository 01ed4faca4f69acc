using System.Diagnostics;

namespace SailSocket.LoadTool;

/// <summary>
/// The measurements, the same for every client: sequential round trips, pipelined throughput, many sockets.
/// Every loop is bounded in count and in time, and a watchdog ends a phase that stops making progress.
/// </summary>
internal static class Phases
{
    private static readonly Process s_process = Process.GetCurrentProcess();

    /// <summary>W sequential requests of warm-up, then N measured one at a time.</summary>
    public static async Task<SequentialResult> SequentialAsync(ILoadSocket socket, int n, int warmup, TimeSpan stallTimeout)
    {
        var progress = new Progress();
        await using var watchdog = Watchdog.Start(progress, stallTimeout, socket);
        await SequentialSeries.WarmAsync(socket, warmup, progress);
        var series = new SequentialSeries(n);
        Settle();
        await series.RunBlockAsync(socket, n, warmup, progress);
        return series.ToResult();
    }

    /// <summary>C workers keep one request each outstanding on the same socket: W requests of warm-up, then T seconds.</summary>
    public static async Task<PipelinedResult> PipelinedAsync(ILoadSocket socket, int concurrency, double seconds, int warmup, TimeSpan stallTimeout, AllocationSampler? sampler = null)
    {
        var progress = new Progress();
        await using var watchdog = Watchdog.Start(progress, stallTimeout, socket);
        var series = new PipelinedSeries(concurrency);
        if (!await series.WarmAsync(socket, warmup, progress))
        {
            return series.ToResult();
        }

        Settle();
        sampler?.Start();
        await series.RunSliceAsync(socket, seconds, progress);
        sampler?.Stop();
        return series.ToResult() with { AllocationProfile = sampler?.Top(12) };
    }

    /// <summary>Opens K sockets, at most M connecting at once; each then answers one request; the idle cost per socket is measured.</summary>
    public static async Task<SocketsResult> SocketsAsync(ILoadClientFactory factory, int count, int connectConcurrency, TimeSpan timeout, AllocationSampler? sampler = null, TimeSpan idleHold = default)
    {
        var sockets = new ILoadSocket?[count];
        var connectTicks = new long[count];
        var aliveFlags = new bool[count];
        var errors = new ErrorLog();
        Settle();
        var heap0 = GC.GetTotalMemory(forceFullCollection: true);
        s_process.Refresh();
        var workingSet0 = s_process.WorkingSet64;

        var loadAverage = ConnectTimeline.LoadAverage();
        sampler?.Start();
        var timeline = new ConnectTimeline(count);
        var start = Stopwatch.GetTimestamp();
        await ForEachBoundedAsync(count, connectConcurrency, async i =>
        {
            using var bound = new CancellationTokenSource(timeout);
            var began = Stopwatch.GetTimestamp();
            try
            {
                sockets[i] = await factory.ConnectAsync(bound.Token);
                connectTicks[i] = Stopwatch.GetTimestamp() - began;
                timeline.Connected();
            }
            catch (Exception ex)
            {
                errors.Add("connect: " + Describe(ex));
            }
        });
        var connectSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        sampler?.Stop();

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
        if (idleHold > TimeSpan.Zero)
        {
            await Console.Error.WriteLineAsync(FormattableString.Invariant($"  holding {connected} idle sockets for {idleHold.TotalSeconds:F0} s (pid {Environment.ProcessId}; {(heap1 - heap0) / (double)Math.Max(connected, 1):F0} B heap per socket)"));
            await Task.Delay(idleHold);
        }

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
            FirstError: errors.First)
        {
            LoadAverage = loadAverage,
            ConnectTimeline = timeline.Marks,
            AllocationProfile = sampler?.Top(12),
        };
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
    internal static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>The p-th percentile of sorted Stopwatch ticks, in µs (nearest rank).</summary>
    internal static double Percentile(ReadOnlySpan<long> sortedTicks, double p) =>
        sortedTicks.IsEmpty ? 0 : Micros(sortedTicks[Math.Min(sortedTicks.Length - 1, (int)Math.Ceiling(p * sortedTicks.Length) - 1)]);

    internal static double Micros(long ticks) => Math.Round(ticks * 1_000_000.0 / Stopwatch.Frequency, 1);

    internal static double PerTenThousand(double cpuSeconds, long requests) => requests == 0 ? 0 : Math.Round(cpuSeconds * 10_000 / requests, 4);

    internal static string Describe(Exception ex) =>
        ex.InnerException is { } inner ? $"{ex.GetType().Name}: {ex.Message} ({inner.GetType().Name}: {inner.Message})" : $"{ex.GetType().Name}: {ex.Message}";

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

    /// <summary>Requests another process completed (the Node client in <c>--compare</c>), counted as it reports them.</summary>
    public void Add(long count) => Interlocked.Add(ref _count, count);
}

/// <summary>
/// Ends a phase that makes no progress for the stall timeout by disposing its sockets (both, in <c>--compare</c>), which
/// fails every outstanding request (the raw client and SocketIOClient have no request deadline of their own); the Node
/// client of <c>--compare</c> is stopped instead.
/// </summary>
internal sealed class Watchdog : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;

    private Watchdog(Progress progress, TimeSpan stallTimeout, IAsyncDisposable[] sockets)
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
                        foreach (var socket in sockets)
                        {
                            await socket.DisposeAsync();
                        }

                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public static Watchdog Start(Progress progress, TimeSpan stallTimeout, params IAsyncDisposable[] sockets) => new(progress, stallTimeout, sockets);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _task;
        _stop.Dispose();
    }
}
