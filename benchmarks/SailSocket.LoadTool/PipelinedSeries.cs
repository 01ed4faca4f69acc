using System.Diagnostics;

namespace SailSocket.LoadTool;

/// <summary>
/// One client's pipelined traffic: C workers keeping one request each outstanding on the same socket, measured in one
/// slice (the single-client mode) or in many slices alternating with another client's (<c>--compare</c>). Each slice
/// drains its outstanding requests before it ends, so that only one client is ever active.
/// </summary>
internal sealed class PipelinedSeries(int concurrency)
{
    /// <summary>A cap on the requests of one slice, whatever its length.</summary>
    private const long MaxRequestsPerSlice = 50_000_000;

    /// <summary>How long the workers may take to finish their last requests after a slice's deadline.</summary>
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(10);

    private ResourceUse _use;
    private long _completed;
    private long _errors;
    private double _seconds;
    private string? _firstError;

    /// <summary>Requests each slice keeps outstanding.</summary>
    public int Concurrency => concurrency;

    /// <summary>Warm-up: <paramref name="warmup"/> requests with the same concurrency, not measured. False when one failed.</summary>
    public async Task<bool> WarmAsync(ILoadSocket socket, int warmup, Progress progress)
    {
        var warm = new Run(socket, progress, long.MaxValue, warmup);
        await warm.RunAsync(concurrency);
        if (warm.FirstError is null)
        {
            return true;
        }

        _errors += warm.Errors;
        _firstError = "warm-up: " + warm.FirstError;
        return false;
    }

    /// <summary>
    /// Runs one slice of <paramref name="seconds"/> and adds it to the series; returns the slice's requests per second.
    /// Requests still outstanding long after the deadline (a lost ack) are counted as errors, and the socket is disposed
    /// to end them.
    /// </summary>
    public async Task<double> RunSliceAsync(ILoadSocket socket, double seconds, Progress progress)
    {
        var meter = ResourceMeter.Start();
        var start = Stopwatch.GetTimestamp();
        var run = new Run(socket, progress, start + (long)(seconds * Stopwatch.Frequency), MaxRequestsPerSlice);
        var workers = run.RunAsync(concurrency);
        var stalled = 0L;
        if (await Task.WhenAny(workers, Task.Delay(TimeSpan.FromSeconds(seconds) + s_drainTimeout)) != workers)
        {
            stalled = run.Outstanding;
            await socket.DisposeAsync();
            await workers;
        }

        _use = _use.Add(meter.Stop());
        var completed = run.Completed;

        // Throughput over the time requests were actually completing, so a stalled drain does not dilute it.
        var elapsed = completed == 0 ? 0 : (run.LastCompletion - start) / (double)Stopwatch.Frequency;
        _completed += completed;
        _errors += run.Errors + stalled;
        _seconds += elapsed;
        _firstError ??= run.FirstError ?? (stalled > 0 ? $"{stalled} requests still outstanding {s_drainTimeout.TotalSeconds} s after the deadline" : null);
        return elapsed > 0 ? completed / elapsed : 0;
    }

    /// <summary>
    /// Adds the warm-up run in another process (the Node client, <see cref="NodeComparedClient"/>). False when a
    /// request failed, as <see cref="WarmAsync"/>.
    /// </summary>
    public bool RecordWarmUp(long errors, string? firstError)
    {
        if (errors == 0 && firstError is null)
        {
            return true;
        }

        _errors += errors;
        _firstError = "warm-up: " + (firstError ?? "a request failed");
        return false;
    }

    /// <summary>
    /// Adds a slice run in another process (the Node client): requests completed, errors (stalled requests included),
    /// seconds to the last completion and what it cost that process. Returns the slice's requests per second.
    /// </summary>
    public double RecordSlice(long completed, long errors, double elapsed, ResourceUse use, string? firstError)
    {
        _use = _use.Add(use);
        _completed += completed;
        _errors += errors;
        _seconds += elapsed;
        _firstError ??= firstError;
        return elapsed > 0 ? completed / elapsed : 0;
    }

    public PipelinedResult ToResult() => new(
        Concurrency: concurrency,
        Seconds: Math.Round(_seconds, 3),
        Requests: _completed,
        Errors: _errors,
        RequestsPerSecond: _seconds > 0 ? Math.Round(_completed / _seconds, 1) : 0,
        CpuSecondsPer10k: Phases.PerTenThousand(_use.CpuSeconds, _completed),
        AllocatedBytesPerRequest: _completed == 0 ? 0 : Math.Round((double)_use.AllocatedBytes / _completed, 1),
        ThreadPoolItemsPerRequest: _completed == 0 ? 0 : Math.Round((double)_use.ThreadPoolItems / _completed, 2),
        FirstError: _firstError);

    /// <summary>The workers: each keeps one request outstanding until the deadline or the count is reached.</summary>
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
                Interlocked.CompareExchange(ref _firstError, Phases.Describe(ex), null);
            }
        }
    }
}
