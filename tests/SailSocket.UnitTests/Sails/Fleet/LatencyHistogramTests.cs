using System;
using SailSocket.Fleet;
using Xunit;

namespace SailSocket.UnitTests.Sails.Fleet;

public sealed class LatencyHistogramTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(63, 0)]
    [InlineData(64, 1)]
    [InlineData(127, 1)]
    [InlineData(128, 2)]
    [InlineData(1_000, 4)]
    [InlineData(1_000_000, 14)]
    [InlineData(67_108_863, 20)]
    [InlineData(67_108_864, 21)]
    [InlineData(10_000_000_000, 21)]
    public void Buckets_DoubleFrom64Microseconds(long microseconds, int bucket)
    {
        var elapsed = TimeSpan.FromTicks(microseconds * 10);
        Assert.Equal(bucket, LatencyRecorder.BucketOf(elapsed));
        Assert.True(elapsed < SailsLatencyHistogram.GetUpperBound(bucket));
        if (bucket > 0)
        {
            Assert.True(elapsed >= SailsLatencyHistogram.GetUpperBound(bucket - 1));
        }
    }

    [Fact]
    public void NegativeLatency_CountsInTheFirstBucket() => Assert.Equal(0, LatencyRecorder.BucketOf(TimeSpan.FromTicks(-5)));

    [Fact]
    public void Quantiles_Counts_AndSubtraction()
    {
        var recorder = new LatencyRecorder();
        Assert.Equal(TimeSpan.Zero, recorder.Snapshot().GetQuantile(0.5));
        for (var i = 0; i < 90; i++)
        {
            recorder.Record(TimeSpan.FromMicroseconds(100));
        }

        var earlier = recorder.Snapshot();
        for (var i = 0; i < 10; i++)
        {
            recorder.Record(TimeSpan.FromMilliseconds(3));
        }

        recorder.RecordFailure();
        var now = recorder.Snapshot();
        Assert.Equal(100, now.Count);
        Assert.Equal(1, now.Failed);
        Assert.Equal(SailsLatencyHistogram.BucketCount, now.Counts.Count);
        Assert.Equal(TimeSpan.FromMicroseconds(128), now.GetQuantile(0.5));
        Assert.Equal(TimeSpan.FromMicroseconds(128), now.GetQuantile(0.9));
        Assert.Equal(TimeSpan.FromMicroseconds(4096), now.GetQuantile(0.91));
        Assert.Equal(TimeSpan.FromMicroseconds(4096), now.GetQuantile(1));

        var interval = now.Subtract(earlier);
        Assert.Equal(10, interval.Count);
        Assert.Equal(1, interval.Failed);
        Assert.Equal(TimeSpan.FromMicroseconds(4096), interval.GetQuantile(0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => now.GetQuantile(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => SailsLatencyHistogram.GetUpperBound(SailsLatencyHistogram.BucketCount));
        Assert.Equal(TimeSpan.MaxValue, SailsLatencyHistogram.GetUpperBound(SailsLatencyHistogram.BucketCount - 1));
    }
}
