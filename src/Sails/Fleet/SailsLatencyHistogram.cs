using System;
using System.Collections.Generic;

namespace SailSocket.Fleet;

/// <summary>
/// Request latencies of a fleet's node, counted in fixed logarithmic buckets: bucket 0 holds latencies below
/// <see cref="FirstBound"/> (64 µs), bucket <c>i</c> those from <c>FirstBound · 2^(i-1)</c> up to <c>FirstBound · 2^i</c>,
/// and the last bucket everything from about 67 s up. A snapshot: it does not change.
/// </summary>
/// <remarks>Fixed buckets keep recording to one atomic increment (no allocation, no lock) and let two snapshots be
/// subtracted bucket by bucket (<see cref="Subtract"/>) to get the figures of an interval.</remarks>
public sealed class SailsLatencyHistogram
{
    /// <summary>The number of buckets: 22.</summary>
    public const int BucketCount = 22;

    /// <summary>The upper bound of bucket 0: 64 µs.</summary>
    public static readonly TimeSpan FirstBound = TimeSpan.FromTicks(640);

    private readonly long[] _counts;

    internal SailsLatencyHistogram(long[] counts, long failed)
    {
        _counts = counts;
        Failed = failed;
        foreach (var count in counts)
        {
            Count += count;
        }
    }

    /// <summary>The count of each bucket, <see cref="BucketCount"/> of them.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>Requests that completed with a response (any status), all buckets together.</summary>
    public long Count { get; }

    /// <summary>Requests that failed with an exception (timeout, interruption, cancellation, …); not in the buckets.</summary>
    public long Failed { get; }

    /// <summary>The exclusive upper bound of a bucket; <see cref="TimeSpan.MaxValue"/> for the last.</summary>
    /// <param name="bucket">0 to <see cref="BucketCount"/> - 1.</param>
    /// <returns>The bound.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucket"/> is out of range.</exception>
    public static TimeSpan GetUpperBound(int bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, BucketCount);
        return bucket == BucketCount - 1 ? TimeSpan.MaxValue : TimeSpan.FromTicks(FirstBound.Ticks << bucket);
    }

    /// <summary>
    /// The upper bound of the bucket that holds the given quantile: the latency at most that share of requests stayed
    /// under, rounded up to a bucket bound. <see cref="TimeSpan.Zero"/> when nothing was counted.
    /// </summary>
    /// <param name="quantile">From 0 to 1, e.g. 0.99.</param>
    /// <returns>The bound.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="quantile"/> is not between 0 and 1.</exception>
    public TimeSpan GetQuantile(double quantile)
    {
        if (quantile is < 0 or > 1 || double.IsNaN(quantile))
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "The quantile must be between 0 and 1.");
        }

        if (Count == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return GetUpperBound(i);
            }
        }

        return TimeSpan.MaxValue;
    }

    /// <summary>This snapshot minus an earlier one of the same node: the requests of the interval between them.</summary>
    /// <param name="earlier">The earlier snapshot.</param>
    /// <returns>The difference.</returns>
    public SailsLatencyHistogram Subtract(SailsLatencyHistogram earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var counts = new long[BucketCount];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = _counts[i] - earlier._counts[i];
        }

        return new SailsLatencyHistogram(counts, Failed - earlier.Failed);
    }

    /// <summary>Adds histograms bucket by bucket (for a fleet-wide figure).</summary>
    internal static SailsLatencyHistogram Sum(IEnumerable<SailsLatencyHistogram> histograms)
    {
        var counts = new long[BucketCount];
        long failed = 0;
        foreach (var histogram in histograms)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] += histogram._counts[i];
            }

            failed += histogram.Failed;
        }

        return new SailsLatencyHistogram(counts, failed);
    }
}
