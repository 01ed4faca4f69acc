namespace SailSocket.LoadTool;

/// <summary>
/// One side of <c>--compare A,B</c>, at the granularity <see cref="Comparison"/> alternates: a sequential block, the
/// pipelined warm-up, a pipelined slice. A .NET client runs them on its socket in this process
/// (<see cref="SocketComparedClient"/>); Node's client runs them in a child process and reports what it measured
/// (<see cref="NodeComparedClient"/>). Either way each side's latencies are taken where its requests are made, and its
/// CPU is its own process's over its own blocks and slices only.
/// </summary>
internal interface IComparedClient : IAsyncDisposable
{
    /// <summary>The client's name in the report.</summary>
    string Name { get; }

    /// <summary>False for a client in another process: the allocation and thread-pool columns do not apply (0, ratio n/a).</summary>
    bool MeasuresAllocations { get; }

    /// <summary>What the stall watchdog disposes to end requests that no longer progress.</summary>
    IAsyncDisposable Connection { get; }

    /// <summary>Up to <paramref name="count"/> more sequential round trips into <paramref name="series"/> (see <see cref="SequentialSeries.RunBlockAsync"/>).</summary>
    ValueTask RunBlockAsync(SequentialSeries series, int count, int firstK, Progress progress);

    /// <summary>The pipelined warm-up, <see cref="PipelinedSeries.Concurrency"/> outstanding; false when a request failed.</summary>
    Task<bool> WarmPipelinedAsync(PipelinedSeries series, int warmup, Progress progress);

    /// <summary>One pipelined slice of <paramref name="seconds"/>, drained; returns its requests per second.</summary>
    Task<double> RunSliceAsync(PipelinedSeries series, double seconds, Progress progress);

    /// <summary>A full collection in the client's own process before the measured phase (<see cref="Phases.Settle"/> here).</summary>
    Task SettleAsync();
}

/// <summary>The sides of a comparison by kind.</summary>
internal static class ComparedClients
{
    /// <summary>Connects one socket of <paramref name="kind"/> (Node: starts its child process), bounded by <paramref name="cancellationToken"/>.</summary>
    public static async Task<IComparedClient> StartAsync(ClientKind kind, Uri url, LoadOptions options, CancellationToken cancellationToken) =>
        kind == ClientKind.Node
            ? await NodeComparedClient.StartAsync(url, options, cancellationToken)
            : await SocketComparedClient.ConnectAsync(LoadClients.Create(kind, url, options), cancellationToken);
}
