using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SailSocket.Fleet;
using SailSocket.TestServers;

namespace SailSocket.LoadTool;

/// <summary>
/// Fleet mode: lift Redis and N Sails nodes (<see cref="SailsCluster"/>), open a <see cref="SailsFleet"/> of K sockets
/// over them, weigh it, drive a steady request rate, SIGKILL node 0 under that rate and time the recovery.
/// </summary>
internal static class FleetRun
{
    private static readonly Process s_process = Process.GetCurrentProcess();

    public static async Task<int> RunAsync(string[] args)
    {
        FleetRunOptions options;
        try
        {
            options = FleetRunOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return ex.Message == FleetRunOptions.Usage ? 0 : 2;
        }

        // One open file per WebSocket in this process; the nodes hold theirs in their own processes.
        if (OpenFileLimit.Refusal("--sockets", options.Sockets, filesPerSocket: 1) is { } refusal)
        {
            await Console.Error.WriteLineAsync(refusal);
            return 2;
        }

        var started = DateTime.UtcNow;
        await Console.Error.WriteLineAsync($"lifting Redis and {options.Nodes} Sails nodes …");
        await using var cluster = await SailsCluster.StartAsync(options.Nodes, cancellationToken: new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token);

        Phases.Settle();
        var heap0 = GC.GetTotalMemory(forceFullCollection: true);
        s_process.Refresh();
        var workingSet0 = s_process.WorkingSet64;
        var files0 = ProcessStats.OpenFileDescriptors();

        await using var fleet = new SailsFleet(new SailsFleetOptions
        {
            Nodes = cluster.Urls,
            SocketCount = options.Sockets,
            ConnectRate = options.ConnectRate,
            ClientOptions = new SailsClientOptions
            {
                ConnectTimeout = options.Timeout,
                RequestTimeout = options.Timeout,
                Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromSeconds(1), DelayMax = TimeSpan.FromSeconds(5) },
            },
        });

        await Console.Error.WriteLineAsync($"connecting {options.Sockets} sockets at {options.ConnectRate}/s …");
        var connectWatch = Stopwatch.StartNew();
        string? connectError = null;
        try
        {
            await fleet.ConnectAsync(new CancellationTokenSource(options.Timeout + TimeSpan.FromSeconds(options.Sockets / options.ConnectRate * 2)).Token);
        }
        catch (Exception ex)
        {
            connectError = $"{ex.GetType().Name}: {ex.Message}";
        }

        var connectSeconds = connectWatch.Elapsed.TotalSeconds;
        var connected = fleet.GetSnapshot();

        await Task.Delay(TimeSpan.FromSeconds(1));
        Phases.Settle();
        var heap1 = GC.GetTotalMemory(forceFullCollection: true);
        s_process.Refresh();
        var workingSet1 = s_process.WorkingSet64;
        var files1 = ProcessStats.OpenFileDescriptors();
        await Console.Error.WriteLineAsync(FormattableString.Invariant($"  {connected.Connected} connected in {connectSeconds:F1} s; {(heap1 - heap0) / (double)options.Sockets:F0} B heap per socket"));

        // Steady rate.
        var load = new FleetLoad(fleet, options.Rate, maxInFlight: 20_000);
        using var stopLoad = new CancellationTokenSource();
        var loading = load.RunAsync(stopLoad.Token);
        await Console.Error.WriteLineAsync($"steady {options.Rate}/s for {options.Seconds} s …");
        await Task.Delay(TimeSpan.FromSeconds(2)); // warm-up, not measured
        var steadyStart = load.Counts;
        var latency0 = fleet.GetSnapshot().Latency;
        var cpu0 = s_process.TotalProcessorTime;
        var steadyWatch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
        var steadySeconds = steadyWatch.Elapsed.TotalSeconds;
        s_process.Refresh();
        var cpu1 = s_process.TotalProcessorTime;
        var steady = load.Counts.Minus(steadyStart);
        var steadyLatency = fleet.GetSnapshot().Latency.Subtract(latency0);

        RecoveryResult? recovery = null;
        if (options.Kill)
        {
            recovery = await KillAndRecoverAsync(cluster, fleet, load, options);
        }

        await stopLoad.CancelAsync();
        await loading;
        var drained = await load.DrainAsync(options.Timeout + TimeSpan.FromSeconds(10));
        var total = load.Counts;
        var final = fleet.GetSnapshot();

        var report = new FleetReport(
            started.ToString("O", CultureInfo.InvariantCulture),
            LoadReport.DescribeMachine(),
            OpenFileLimit.Read(),
            options.Sockets,
            options.Nodes,
            options.ConnectRate,
            connected.Connected,
            Math.Round(connectSeconds, 2),
            Math.Round(connected.Connected / connectSeconds, 0),
            Math.Round((heap1 - heap0) / (double)options.Sockets, 0),
            Math.Round((workingSet1 - workingSet0) / (double)options.Sockets, 0),
            files1 - files0,
            options.Rate,
            Math.Round(steadySeconds, 1),
            Math.Round(steady.Completed / steadySeconds, 0),
            steady.Completed,
            steady.Failed,
            steady.Skipped,
            Math.Round(steadyLatency.GetQuantile(0.5).TotalMilliseconds, 3),
            Math.Round(steadyLatency.GetQuantile(0.99).TotalMilliseconds, 3),
            Math.Round((cpu1 - cpu0).TotalSeconds / Math.Max(1, steady.Completed) * 10_000, 3),
            recovery,
            total.Issued,
            total.Completed,
            total.Failed,
            total.Lost,
            drained,
            final.Connected,
            connectError ?? total.FirstOther);
        Console.Out.WriteLine(JsonSerializer.Serialize(report, FleetReportJson.Default.FleetReport));
        await Console.Error.WriteAsync(report.ToSummary());
        return report.Succeeded ? 0 : 1;
    }

    private static async Task<RecoveryResult> KillAndRecoverAsync(SailsCluster cluster, SailsFleet fleet, FleetLoad load, FleetRunOptions options)
    {
        var victims = fleet.GetSocketsPlacedOn(0).Count;
        await Console.Error.WriteLineAsync($"SIGKILL node 0 ({victims} sockets placed there) under the steady rate …");
        var attempts0 = fleet.ConnectAttempts;
        var watch = Stopwatch.StartNew();
        load.OpenWindow();
        cluster.Kill(0);

        double? detected = null;
        double? recovered = null;
        var peakReconnecting = 0;
        var deadline = options.RecoveryTimeout;
        SailsFleetSnapshot snapshot;
        while (true)
        {
            snapshot = fleet.GetSnapshot();
            peakReconnecting = Math.Max(peakReconnecting, snapshot.Reconnecting);
            if (detected is null && snapshot.Connected < fleet.Count)
            {
                detected = watch.Elapsed.TotalSeconds;
            }

            if (detected is not null && snapshot.Connected == fleet.Count)
            {
                recovered = watch.Elapsed.TotalSeconds;
                break;
            }

            if (watch.Elapsed > deadline)
            {
                break;
            }

            await Task.Delay(50);
        }

        // The failover window: the requests issued from the kill until every socket is back, each followed to its end.
        load.CloseWindow();
        var during = load.WindowOutcomes();
        var drainUntil = Stopwatch.GetTimestamp() + (long)((options.Timeout.TotalSeconds + 10) * Stopwatch.Frequency);
        while (during.Skip(1).Sum() < during[0] && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(50);
            during = load.WindowOutcomes();
        }
        await Console.Error.WriteLineAsync(FormattableString.Invariant($"  back: {snapshot.Connected}/{fleet.Count} after {recovered?.ToString("F1", CultureInfo.InvariantCulture) ?? "—"} s; {fleet.ConnectAttempts - attempts0} connect attempts"));
        return new RecoveryResult(
            victims,
            detected is { } d ? Math.Round(d, 2) : null,
            recovered is { } r ? Math.Round(r, 2) : null,
            peakReconnecting,
            fleet.ConnectAttempts - attempts0,
            snapshot.Nodes.Select(static n => n.Connected).ToArray(),
            during[0],
            during[1],
            during[2],
            during[3],
            during[4],
            during[5],
            during[6]);
    }
}

internal sealed record RecoveryResult(
    int SocketsOnKilledNode,
    double? DetectedSeconds,
    double? AllBackSeconds,
    int PeakReconnecting,
    long ConnectAttempts,
    int[] ConnectedPerNodeAfter,
    long RequestsIssued,
    long RequestsCompleted,
    long RequestsInterrupted,
    long RequestsNotSent,
    long RequestsTimedOut,
    long RequestsLimitExceeded,
    long RequestsOtherFailures);

internal sealed record FleetReport(
    string Started,
    MachineInfo Machine,
    long? OpenFileLimit,
    int Sockets,
    int Nodes,
    double ConnectRate,
    int Connected,
    double ConnectSeconds,
    double ConnectsPerSecond,
    double HeapBytesPerSocket,
    double WorkingSetBytesPerSocket,
    int OpenFilesForSockets,
    double SteadyRate,
    double SteadySeconds,
    double SteadyRequestsPerSecond,
    long SteadyCompleted,
    long SteadyFailed,
    long SteadySkipped,
    double SteadyP50Ms,
    double SteadyP99Ms,
    double SteadyCpuSecondsPer10k,
    RecoveryResult? Recovery,
    long TotalIssued,
    long TotalCompleted,
    long TotalFailed,
    long TotalLost,
    bool Drained,
    int ConnectedAtEnd,
    string? FirstError)
{
    public bool Succeeded =>
        Connected == Sockets && TotalLost == 0 && Drained && SteadyFailed == 0
        && (Recovery is null || Recovery.AllBackSeconds is not null && Recovery.RequestsOtherFailures == 0);

    public string ToSummary()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"fleet of {Sockets} over {Nodes} nodes ({Machine.ProcessorCount} cores, {Machine.Runtime}; open-file limit {OpenFileLimit})");
        text.AppendLine(c, $"  connect      {Connected}/{Sockets} in {ConnectSeconds:F1} s ({ConnectsPerSecond:F0}/s, rate {ConnectRate}/s); {HeapBytesPerSocket:F0} B heap, {WorkingSetBytesPerSocket:F0} B working set, {OpenFilesForSockets} open files");
        text.AppendLine(c, $"  steady       {SteadyRate}/s asked, {SteadyRequestsPerSecond:F0}/s completed over {SteadySeconds:F0} s; p50 {SteadyP50Ms} ms, p99 {SteadyP99Ms} ms (bucket bounds); {SteadyFailed} failed, {SteadySkipped} skipped; CPU {SteadyCpuSecondsPer10k:F3} s per 10k");
        if (Recovery is { } r)
        {
            text.AppendLine(c, $"  node kill    {r.SocketsOnKilledNode} sockets on node 0; loss seen after {r.DetectedSeconds} s, all back after {r.AllBackSeconds?.ToString("F1", c) ?? "NOT"} s; peak reconnecting {r.PeakReconnecting}; {r.ConnectAttempts} attempts; per node after: {string.Join('/', r.ConnectedPerNodeAfter)}");
            text.AppendLine(c, $"               requests issued from the kill until all were back: {r.RequestsIssued}, {r.RequestsCompleted} completed, {r.RequestsInterrupted} interrupted, {r.RequestsNotSent} not sent, {r.RequestsTimedOut} timed out, {r.RequestsLimitExceeded} over a limit, {r.RequestsOtherFailures} other");
        }

        text.AppendLine(c, $"  total        {TotalIssued} issued, {TotalCompleted} completed, {TotalFailed} failed, {TotalLost} lost; drained {Drained}; {ConnectedAtEnd} connected at the end");
        if (FirstError is not null)
        {
            text.AppendLine(c, $"  error        {FirstError}");
        }

        return text.ToString();
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FleetReport))]
internal sealed partial class FleetReportJson : JsonSerializerContext;
