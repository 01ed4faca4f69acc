using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SailSocket.LoadTool;

/// <summary>
/// Node's socket.io-client 4.8.1 as a side of <c>--compare</c>: client.js in its driven mode (<c>--mode serve</c>) in a
/// child process, one socket, one command per block or slice on its stdin and one JSON line back (see client.js). The
/// latencies are taken in Node (<c>process.hrtime</c>) around each request, as this process takes the .NET ones; the
/// CPU is the child's own over each command (<c>process.cpuUsage</c>). While one side runs, the other waits idle: the
/// child on its stdin, this process on the child's answer.
/// </summary>
/// <remarks>
/// The child exits when its stdin closes, so it never outlives this process, even killed. Every wait for an answer is
/// bounded by the stall timeout, renewed by the child's progress lines (one a second in a long command); past it, or
/// when the watchdog stops it, the child is killed and the command counts as one failed request.
/// </remarks>
internal sealed class NodeComparedClient : IComparedClient
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    /// <summary>How long the child has to exit once its stdin is closed, before it is killed.</summary>
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly TimeSpan _stallTimeout;

    /// <summary>A block's latencies converted to <see cref="Stopwatch"/> ticks, reused from block to block.</summary>
    private long[] _ticks = new long[64];

    private int _disposed;

    private NodeComparedClient(Process process, TimeSpan stallTimeout)
    {
        _process = process;
        _stallTimeout = stallTimeout;
    }

    public string Name => LoadOptions.ClientName(ClientKind.Node);

    public bool MeasuresAllocations => false;

    public IAsyncDisposable Connection => this;

    /// <summary>
    /// Starts the child with the run's <see cref="LoadOptions.Timeout"/> (each request's ack timeout there, and the stall
    /// bound here) and waits for its socket to connect, bounded by <paramref name="cancellationToken"/>.
    /// </summary>
    public static async Task<NodeComparedClient> StartAsync(Uri url, LoadOptions options, CancellationToken cancellationToken)
    {
        if (NodeClientProcess.Missing() is { } missing)
        {
            throw new InvalidOperationException(missing);
        }

        var info = NodeClientProcess.StartInfo(url, "--mode", "serve", "--timeout", options.Timeout.TotalSeconds.ToString(s_invariant));
        info.RedirectStandardInput = true;
        if (options.Certificate is { } tls)
        {
            // --tls: the child trusts exactly the run's certificate.
            info.ArgumentList.Add("--ca");
            info.ArgumentList.Add(tls.CertificatePath);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("node could not be started.");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                Console.Error.WriteLine("node client: " + line);
            }
        };
        process.BeginErrorReadLine();
        var client = new NodeComparedClient(process, options.Timeout);
        try
        {
            using var answer = await client.ReadAnswerAsync(null).WaitAsync(cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public async ValueTask RunBlockAsync(SequentialSeries series, int count, int firstK, Progress progress)
    {
        try
        {
            using var answer = await CommandAsync(string.Create(s_invariant, $"seq {count} {firstK}"), progress);
            var root = answer.RootElement;
            var ns = root.GetProperty("ns");
            var done = ns.GetArrayLength();
            if (_ticks.Length < done)
            {
                _ticks = new long[Math.Max(done, _ticks.Length * 2)];
            }

            var i = 0;
            foreach (var latency in ns.EnumerateArray())
            {
                _ticks[i++] = (long)(latency.GetDouble() * Stopwatch.Frequency / 1e9);
            }

            series.Record(_ticks.AsSpan(0, done), root.GetProperty("errors").GetInt32(), FirstError(root), Use(root));
            progress.Add(done);
        }
        catch (Exception ex)
        {
            series.Record([], 1, Phases.Describe(ex), default);
        }
    }

    public async Task<bool> WarmPipelinedAsync(PipelinedSeries series, int warmup, Progress progress)
    {
        try
        {
            using var answer = await CommandAsync(string.Create(s_invariant, $"warm {warmup} {series.Concurrency}"), progress);
            progress.Add(answer.RootElement.GetProperty("done").GetInt64());
            return series.RecordWarmUp(answer.RootElement.GetProperty("errors").GetInt64(), FirstError(answer.RootElement));
        }
        catch (Exception ex)
        {
            return series.RecordWarmUp(1, Phases.Describe(ex));
        }
    }

    public async Task<double> RunSliceAsync(PipelinedSeries series, double seconds, Progress progress)
    {
        try
        {
            using var answer = await CommandAsync(string.Create(s_invariant, $"pipe {seconds:R} {series.Concurrency}"), progress);
            var root = answer.RootElement;
            progress.Add(root.GetProperty("done").GetInt64());
            return series.RecordSlice(root.GetProperty("done").GetInt64(), root.GetProperty("errors").GetInt64(), root.GetProperty("elapsed").GetDouble(), Use(root), FirstError(root));
        }
        catch (Exception ex)
        {
            return series.RecordSlice(0, 1, 0, default, Phases.Describe(ex));
        }
    }

    public async Task SettleAsync()
    {
        using var answer = await CommandAsync("gc", null);
    }

    /// <summary>Closes the child's stdin (it exits at once), waits a little, then kills it. Idempotent; the watchdog may call it during a command.</summary>
    public ValueTask DisposeAsync() => StopAsync(s_exitTimeout);

    /// <summary>Closes the child's stdin, gives it <paramref name="grace"/> to exit, then kills it; once.</summary>
    private async ValueTask StopAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _process.StandardInput.Close();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }

        using var bound = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }

            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string? FirstError(JsonElement root) =>
        root.TryGetProperty("first_error", out var error) && error.ValueKind == JsonValueKind.String ? "node: " + error.GetString() : null;

    private static ResourceUse Use(JsonElement root) => new(root.GetProperty("cpu").GetDouble(), 0, 0);

    private async Task<JsonDocument> CommandAsync(string command, Progress? progress)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        return await ReadAnswerAsync(progress);
    }

    /// <summary>The next answer line, counting progress lines on the way; a line with <c>error</c>, silence past the stall timeout or the child's exit throw.</summary>
    private async Task<JsonDocument> ReadAnswerAsync(Progress? progress)
    {
        while (true)
        {
            string? line;
            try
            {
                line = await _process.StandardOutput.ReadLineAsync().WaitAsync(_stallTimeout);
            }
            catch (TimeoutException)
            {
                // Silent that long: stuck (or stopped), so no grace.
                await StopAsync(TimeSpan.Zero);
                throw new TimeoutException($"the node client answered nothing for {_stallTimeout.TotalSeconds} s; it was stopped.");
            }

            if (line is null)
            {
                throw new InvalidOperationException(Volatile.Read(ref _disposed) != 0 ? "the node client was stopped." : "the node client exited.");
            }

            var answer = JsonDocument.Parse(line);
            var root = answer.RootElement;
            if (root.TryGetProperty("progress", out var count))
            {
                progress?.Add(count.GetInt64());
                answer.Dispose();
                continue;
            }

            if (root.TryGetProperty("error", out var error))
            {
                var message = "node client: " + error.GetString();
                answer.Dispose();
                throw new InvalidOperationException(message);
            }

            return answer;
        }
    }
}
