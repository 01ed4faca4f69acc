using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace SailSocket.LoadTool;

/// <summary>
/// One client's measured sequential round trips, taken in one block (the single-client mode) or in many blocks
/// interleaved with another client's (<c>--compare</c>): the latencies of every block go into one series, and so does
/// what each block cost the process.
/// </summary>
internal sealed class SequentialSeries(int capacity)
{
    private readonly long[] _latencies = new long[capacity];
    private ResourceUse _use;

    /// <summary>Round trips the series holds when full.</summary>
    public int Capacity => _latencies.Length;

    /// <summary>Round trips measured so far.</summary>
    public int Done { get; private set; }

    public int Errors { get; private set; }

    public string? FirstError { get; private set; }

    /// <summary>Warm-up: <paramref name="count"/> round trips, not measured; a failure throws.</summary>
    public static async Task WarmAsync(ILoadSocket socket, int count, Progress progress)
    {
        for (var k = 0; k < count; k++)
        {
            await socket.EchoAsync(k);
            progress.Tick();
        }
    }

    /// <summary>
    /// Measures up to <paramref name="count"/> more round trips, one at a time, request k numbered from
    /// <paramref name="firstK"/> + <see cref="Done"/>. A non-200 answer is counted and the block goes on; an exception
    /// (the socket failed) is counted and ends the block. Its state machine is pooled, so that a block allocates
    /// nothing of its own inside its measurement (a Task's would be ~200 B per block, 4 B per request at 50).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask RunBlockAsync(ILoadSocket socket, int count, int firstK, Progress progress)
    {
        var end = Math.Min(_latencies.Length, Done + count);
        var meter = ResourceMeter.Start();
        try
        {
            while (Done < end)
            {
                var start = Stopwatch.GetTimestamp();
                var ok = await socket.EchoAsync(firstK + Done);
                _latencies[Done] = Stopwatch.GetTimestamp() - start;
                Done++;
                progress.Tick();
                if (!ok)
                {
                    Errors++;
                    FirstError ??= "a response was not 200";
                }
            }
        }
        catch (Exception ex)
        {
            FirstError = Phases.Describe(ex);
            Errors++;
        }

        _use = _use.Add(meter.Stop());
    }

    /// <summary>
    /// Adds a block measured in another process (the Node client, <see cref="NodeComparedClient"/>): its round trips in
    /// <see cref="Stopwatch"/> ticks, its errors (an exception ends a block there too) and what it cost that process.
    /// </summary>
    public void Record(ReadOnlySpan<long> ticks, int errors, string? firstError, ResourceUse use)
    {
        var count = Math.Min(ticks.Length, _latencies.Length - Done);
        ticks[..count].CopyTo(_latencies.AsSpan(Done));
        Done += count;
        Errors += errors;
        FirstError ??= firstError;
        _use = _use.Add(use);
    }

    /// <summary>The median of the round trips <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), in µs.</summary>
    public double MedianMicros(int from, int to)
    {
        var block = _latencies.AsSpan(from, to - from).ToArray();
        Array.Sort(block);
        return Phases.Percentile(block, 0.50);
    }

    public SequentialResult ToResult()
    {
        var measured = _latencies.AsSpan(0, Done).ToArray();
        Array.Sort(measured);
        long sum = 0;
        foreach (var ticks in measured)
        {
            sum += ticks;
        }

        return new SequentialResult(
            Requests: Done,
            Errors: Errors,
            P50Us: Phases.Percentile(measured, 0.50),
            P90Us: Phases.Percentile(measured, 0.90),
            P99Us: Phases.Percentile(measured, 0.99),
            MeanUs: Done == 0 ? 0 : Math.Round(Phases.Micros(sum) / Done, 1),
            MaxUs: Done == 0 ? 0 : Phases.Micros(measured[^1]),
            CpuSecondsPer10k: Phases.PerTenThousand(_use.CpuSeconds, Done),
            AllocatedBytesPerRequest: Done == 0 ? 0 : Math.Round((double)_use.AllocatedBytes / Done, 1),
            ThreadPoolItemsPerRequest: Done == 0 ? 0 : Math.Round((double)_use.ThreadPoolItems / Done, 2),
            FirstError: FirstError);
    }
}
