namespace SailSocket.LoadTool;

/// <summary>A .NET client's side of <c>--compare</c>: one socket in this process, measured as in the single-client mode.</summary>
internal sealed class SocketComparedClient : IComparedClient
{
    private readonly ILoadClientFactory _factory;
    private readonly ILoadSocket _socket;

    private SocketComparedClient(ILoadClientFactory factory, ILoadSocket socket)
    {
        _factory = factory;
        _socket = socket;
    }

    public string Name => _factory.Name;

    public bool MeasuresAllocations => true;

    public IAsyncDisposable Connection => _socket;

    /// <summary>Connects one socket from <paramref name="factory"/>, which the side then owns (disposed with it, or here on failure).</summary>
    public static async Task<SocketComparedClient> ConnectAsync(ILoadClientFactory factory, CancellationToken cancellationToken)
    {
        try
        {
            return new SocketComparedClient(factory, await factory.ConnectAsync(cancellationToken));
        }
        catch
        {
            await factory.DisposeAsync();
            throw;
        }
    }

    public ValueTask RunBlockAsync(SequentialSeries series, int count, int firstK, Progress progress) =>
        series.RunBlockAsync(_socket, count, firstK, progress);

    public Task<bool> WarmPipelinedAsync(PipelinedSeries series, int warmup, Progress progress) =>
        series.WarmAsync(_socket, warmup, progress);

    public Task<double> RunSliceAsync(PipelinedSeries series, double seconds, Progress progress) =>
        series.RunSliceAsync(_socket, seconds, progress);

    /// <summary>Nothing of its own: <see cref="Comparison"/> settles this process once for both sides.</summary>
    public Task SettleAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _socket.DisposeAsync();
        await _factory.DisposeAsync();
    }
}
