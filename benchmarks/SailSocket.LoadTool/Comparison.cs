namespace SailSocket.LoadTool;

/// <summary>
/// <c>--compare A,B</c>: the sequential and pipelined phases for two clients against the same server, interleaved so
/// that whatever the machine does meanwhile (other work on the shared cores, frequency changes) hits both alike. Only
/// one client is active at a time; the other's socket stays connected and idle. Blocks and slices go A B, B A, A B, …
/// so that neither client is always first in a pair. A side is a .NET client in this process or Node's client in a
/// child process (<see cref="IComparedClient"/>); the alternation is the same.
/// </summary>
internal static class Comparison
{
    /// <summary>
    /// W round trips of warm-up on each, then blocks of <paramref name="block"/> round trips per client, alternating,
    /// until each has <paramref name="n"/> or a socket failed. The warm-up alternates in the same blocks, so that the
    /// code that switches between the clients is compiled (tier 1) before the measured blocks, not during them.
    /// </summary>
    public static async Task<ComparedSequential> SequentialAsync(IComparedClient a, IComparedClient b, int n, int block, int warmup, TimeSpan stallTimeout)
    {
        var progress = new Progress();
        await using var watchdog = Watchdog.Start(progress, stallTimeout, a.Connection, b.Connection);
        var warmA = new SequentialSeries(warmup);
        var warmB = new SequentialSeries(warmup);
        await AlternateAsync(a, warmA, b, warmB, block, 0, progress, []);
        if (warmA.Done != warmup || warmB.Done != warmup)
        {
            // A socket failed during the warm-up: as in the single-client mode, that ends the run.
            throw new InvalidOperationException("warm-up: " + (warmA.FirstError ?? warmB.FirstError));
        }

        var seriesA = new SequentialSeries(n);
        var seriesB = new SequentialSeries(n);
        var blockRatios = new List<double>();
        await SettleAsync(a, b);
        await AlternateAsync(a, seriesA, b, seriesB, block, warmup, progress, blockRatios);
        return ComparedSequential.From(block, seriesA.ToResult(), seriesB.ToResult(), blockRatios, a.MeasuresAllocations && b.MeasuresAllocations);
    }

    /// <summary>Fills both series in alternating blocks (A B, B A, …) and adds each block pair's p50 ratio B/A.</summary>
    private static async Task AlternateAsync(IComparedClient a, SequentialSeries seriesA, IComparedClient b, SequentialSeries seriesB, int block, int firstK, Progress progress, List<double> blockRatios)
    {
        for (var pair = 0; seriesA.Done < seriesA.Capacity; pair++)
        {
            var from = seriesA.Done;
            var to = Math.Min(from + block, seriesA.Capacity);
            var (first, firstClient, second, secondClient) = pair % 2 == 0 ? (seriesA, a, seriesB, b) : (seriesB, b, seriesA, a);
            await firstClient.RunBlockAsync(first, to - from, firstK, progress);
            await secondClient.RunBlockAsync(second, to - from, firstK, progress);
            if (seriesA.Done != to || seriesB.Done != to)
            {
                return; // a socket failed; a non-200 answer is counted and the blocks go on, as in the single-client mode
            }

            if (seriesA.MedianMicros(from, to) is > 0 and var medianA)
            {
                blockRatios.Add(seriesB.MedianMicros(from, to) / medianA);
            }
        }
    }

    /// <summary>
    /// W pipelined requests of warm-up on each, then slices of <paramref name="slice"/> seconds per client with
    /// <paramref name="concurrency"/> outstanding, alternating, until each has run <paramref name="seconds"/>. As in the
    /// single-client mode, failed requests are counted and the phase goes on (a failure ends its worker for the rest of
    /// the slice; each slice starts all workers again).
    /// </summary>
    public static async Task<ComparedPipelined> PipelinedAsync(IComparedClient a, IComparedClient b, int concurrency, double seconds, double slice, int warmup, TimeSpan stallTimeout)
    {
        var progress = new Progress();
        await using var watchdog = Watchdog.Start(progress, stallTimeout, a.Connection, b.Connection);
        var seriesA = new PipelinedSeries(concurrency);
        var seriesB = new PipelinedSeries(concurrency);
        var sliceRatios = new List<double>();
        if (await a.WarmPipelinedAsync(seriesA, warmup, progress) && await b.WarmPipelinedAsync(seriesB, warmup, progress))
        {
            await SettleAsync(a, b);
            var done = 0.0;
            for (var pair = 0; seconds - done > 1e-6; pair++)
            {
                var length = Math.Min(slice, seconds - done);
                double rateA, rateB;
                if (pair % 2 == 0)
                {
                    rateA = await a.RunSliceAsync(seriesA, length, progress);
                    rateB = await b.RunSliceAsync(seriesB, length, progress);
                }
                else
                {
                    rateB = await b.RunSliceAsync(seriesB, length, progress);
                    rateA = await a.RunSliceAsync(seriesA, length, progress);
                }

                done += length;
                if (rateA > 0 && rateB > 0)
                {
                    sliceRatios.Add(rateB / rateA);
                }
            }
        }

        return ComparedPipelined.From(slice, seriesA.ToResult(), seriesB.ToResult(), sliceRatios, a.MeasuresAllocations && b.MeasuresAllocations);
    }

    /// <summary>A full collection in each process before a measured phase: the clients' own first (a child's), this one's last.</summary>
    private static async Task SettleAsync(IComparedClient a, IComparedClient b)
    {
        await a.SettleAsync();
        await b.SettleAsync();
        Phases.Settle();
    }
}
