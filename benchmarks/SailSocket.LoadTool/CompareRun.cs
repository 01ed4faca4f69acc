namespace SailSocket.LoadTool;

/// <summary><c>--compare A,B</c>: connects one socket per client (node: starts its child), runs the interleaved phases, prints the report.</summary>
internal static class CompareRun
{
    /// <summary>Runs the comparison against <paramref name="url"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(LoadOptions options, (ClientKind A, ClientKind B) pair, Uri url, string serverName, DateTime started)
    {
        IComparedClient? a = null;
        IComparedClient? b = null;
        ComparedSequential? sequential = null;
        ComparedPipelined? pipelined = null;
        string? error = null;
        try
        {
            using var connectBound = new CancellationTokenSource(options.Timeout);
            a = await ComparedClients.StartAsync(pair.A, url, options, connectBound.Token);
            b = await ComparedClients.StartAsync(pair.B, url, options, connectBound.Token);
            if (options.N > 0)
            {
                sequential = await Comparison.SequentialAsync(a, b, options.N, options.Block, options.Warmup, options.Timeout);
            }

            if (options.Seconds > 0 && sequential is null or { A.FirstError: null, B.FirstError: null })
            {
                pipelined = await Comparison.PipelinedAsync(a, b, options.Concurrency, options.Seconds, options.SliceSeconds, options.Warmup, options.Timeout);
            }
        }
        catch (Exception ex)
        {
            error = $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            // Both sockets closed, and a Node child stopped, whatever happened (stdin closed, then killed if need be).
            if (b is not null)
            {
                await b.DisposeAsync();
            }

            if (a is not null)
            {
                await a.DisposeAsync();
            }
        }

        var report = new CompareReport(
            a?.Name ?? LoadOptions.ClientName(pair.A),
            b?.Name ?? LoadOptions.ClientName(pair.B),
            options.Transport,
            serverName,
            url.ToString(),
            started.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            LoadReport.DescribeMachine(),
            options.Warmup,
            sequential,
            pipelined,
            error);
        Console.Out.WriteLine(report.ToJson());
        await Console.Error.WriteAsync(report.ToSummary());
        return report.Succeeded ? 0 : 1;
    }
}
