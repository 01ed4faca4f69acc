using System;
using System.Collections.Generic;

namespace SailSocket.Cli.Bench;

/// <summary>
/// Latencies in log-spaced buckets (8 per power of two of microseconds, so a bucket is at most ~9% wide): bounded
/// memory whatever the duration. Not thread-safe: one per request loop, merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBuckets = 8;
    private const int Buckets = 40 * SubBuckets;
    private readonly long[] _counts = new long[Buckets];

    public long Count { get; private set; }

    public double MaxMicroseconds { get; private set; }

    public void Record(double microseconds)
    {
        _counts[Index(microseconds)]++;
        Count++;
        MaxMicroseconds = Math.Max(MaxMicroseconds, microseconds);
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < Buckets; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        MaxMicroseconds = Math.Max(MaxMicroseconds, other.MaxMicroseconds);
    }

    /// <summary>The latency under which <paramref name="percentile"/> % of the requests completed (a bucket's upper edge, at most the max).</summary>
    public double Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100 * Count);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), MaxMicroseconds);
            }
        }

        return MaxMicroseconds;
    }

    /// <summary>Counts in coarse ranges (one per power of two), from the first non-empty one to the last.</summary>
    public IReadOnlyList<(double FromMicroseconds, double ToMicroseconds, long Count)> Coarse()
    {
        var rows = new List<(double, double, long)>();
        for (var power = 0; power < Buckets / SubBuckets; power++)
        {
            long count = 0;
            for (var j = 0; j < SubBuckets; j++)
            {
                count += _counts[(power * SubBuckets) + j];
            }

            rows.Add((power == 0 ? 0 : Math.Pow(2, power), Math.Pow(2, power + 1), count));
        }

        var first = rows.FindIndex(r => r.Item3 > 0);
        var last = rows.FindLastIndex(r => r.Item3 > 0);
        return first < 0 ? [] : rows.GetRange(first, last - first + 1);
    }

    private static int Index(double microseconds)
    {
        if (microseconds < 1)
        {
            return 0;
        }

        var index = (int)(Math.Log2(microseconds) * SubBuckets);
        return Math.Clamp(index, 0, Buckets - 1);
    }

    private static double UpperEdge(int index) => Math.Pow(2, (index + 1) / (double)SubBuckets);
}
