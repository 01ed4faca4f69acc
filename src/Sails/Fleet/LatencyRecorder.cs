using System;
using System.Numerics;
using System.Threading;

namespace SailSocket.Fleet;

/// <summary>
/// Counts request latencies into the fixed log buckets of <see cref="SailsLatencyHistogram"/>: one
/// <see cref="Interlocked.Increment(ref long)"/> per request, no allocation, no lock.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly long[] _counts = new long[SailsLatencyHistogram.BucketCount];
    private long _failed;

    /// <summary>Records one completed request.</summary>
    /// <param name="elapsed">Its latency.</param>
    public void Record(TimeSpan elapsed) => Interlocked.Increment(ref _counts[BucketOf(elapsed)]);

    /// <summary>Records one failed request (not in the histogram: a failure's latency says how long the failure took).</summary>
    public void RecordFailure() => Interlocked.Increment(ref _failed);

    /// <summary>The bucket of a latency: 0 below the first bound, then one per doubling, the last one open.</summary>
    public static int BucketOf(TimeSpan elapsed)
    {
        var units = (ulong)Math.Max(0, elapsed.Ticks) / (ulong)SailsLatencyHistogram.FirstBound.Ticks;
        return units == 0 ? 0 : Math.Min(BitOperations.Log2(units) + 1, SailsLatencyHistogram.BucketCount - 1);
    }

    /// <summary>A copy of the counts (each read atomically; the copy is not one instant).</summary>
    public SailsLatencyHistogram Snapshot()
    {
        var counts = new long[_counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Interlocked.Read(ref _counts[i]);
        }

        return new SailsLatencyHistogram(counts, Interlocked.Read(ref _failed));
    }
}
