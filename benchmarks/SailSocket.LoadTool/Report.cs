using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SailSocket.LoadTool;

internal sealed record SequentialResult(
    int Requests,
    int Errors,
    double P50Us,
    double P90Us,
    double P99Us,
    double MeanUs,
    double MaxUs,
    [property: JsonPropertyName("cpu_seconds_per_10k")] double CpuSecondsPer10k,
    double AllocatedBytesPerRequest,
    double ThreadPoolItemsPerRequest,
    string? FirstError);

internal sealed record PipelinedResult(
    int Concurrency,
    double Seconds,
    long Requests,
    long Errors,
    double RequestsPerSecond,
    [property: JsonPropertyName("cpu_seconds_per_10k")] double CpuSecondsPer10k,
    double AllocatedBytesPerRequest,
    double ThreadPoolItemsPerRequest,
    string? FirstError)
{
    /// <summary>With <c>--alloc-profile</c>: the types that make up the allocated bytes, largest first.</summary>
    public IReadOnlyList<AllocationShare>? AllocationProfile { get; init; }
}

internal sealed record SocketsResult(
    int Requested,
    int ConnectConcurrency,
    int Connected,
    int Alive,
    double ConnectSeconds,
    double ConnectP50Ms,
    double ConnectP99Ms,
    double HeapBytesPerSocket,
    double WorkingSetBytesPerSocket,
    int Errors,
    string? FirstError)
{
    /// <summary>The machine's load averages (1, 5, 15 min) when the phase began: what shared the cores with the run.</summary>
    public string? LoadAverage { get; init; }

    /// <summary>Seconds and CPU seconds (client, server) at each tenth of the sockets connected.</summary>
    public IReadOnlyList<ConnectMark>? ConnectTimeline { get; init; }

    /// <summary>With <c>--alloc-profile</c>: the types allocated while the sockets connected, largest share first.</summary>
    public IReadOnlyList<AllocationShare>? AllocationProfile { get; init; }
}

internal sealed record MachineInfo(int ProcessorCount, string Os, string Runtime, bool ServerGc);

/// <summary>The one JSON line the tool prints on stdout.</summary>
internal sealed record LoadReport(
    string Client,
    string Transport,
    string Server,
    string Url,
    string StartedUtc,
    MachineInfo Machine,
    int Warmup,
    SequentialResult? Sequential,
    PipelinedResult? Pipelined,
    SocketsResult? Sockets,
    string? Error)
{
    public bool Succeeded =>
        Error is null
        && Sequential is null or { Errors: 0 }
        && Pipelined is null or { Errors: 0 }
        && Sockets is null or { Errors: 0 } && (Sockets is null || Sockets.Alive == Sockets.Requested);

    public static MachineInfo DescribeMachine() =>
        new(Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, System.Runtime.GCSettings.IsServerGC);

    public string ToJson() => JsonSerializer.Serialize(this, ReportJson.Default.LoadReport);

    public string ToSummary()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{Client} over {Transport} → {Server} {Url} ({Machine.ProcessorCount} cores, {Machine.Runtime})");
        if (Sequential is { } s)
        {
            text.AppendLine(c, $"  sequential   {s.Requests} requests (+{Warmup} warm-up), {s.Errors} errors");
            text.AppendLine(c, $"               p50 {s.P50Us:F1} µs  p90 {s.P90Us:F1} µs  p99 {s.P99Us:F1} µs  mean {s.MeanUs:F1} µs  max {s.MaxUs:F1} µs");
            text.AppendLine(c, $"               CPU {s.CpuSecondsPer10k:F3} s per 10k requests, {s.AllocatedBytesPerRequest:F0} B allocated and {s.ThreadPoolItemsPerRequest:F2} thread-pool items per request");
        }

        if (Pipelined is { } p)
        {
            text.AppendLine(c, $"  pipelined    {p.Concurrency} outstanding for {p.Seconds:F1} s: {p.Requests} requests, {p.Errors} errors");
            text.AppendLine(c, $"               {p.RequestsPerSecond:F0} requests/s, CPU {p.CpuSecondsPer10k:F3} s per 10k requests, {p.AllocatedBytesPerRequest:F0} B allocated and {p.ThreadPoolItemsPerRequest:F2} thread-pool items per request");
            foreach (var share in p.AllocationProfile ?? [])
            {
                text.AppendLine(c, $"               {share.Percent,5:F1} %  {share.Type}");
            }
        }

        if (Sockets is { } k)
        {
            text.AppendLine(c, $"  sockets      {k.Connected}/{k.Requested} connected, {k.Alive} alive, in {k.ConnectSeconds:F2} s ({k.ConnectConcurrency} at once; p50 {k.ConnectP50Ms:F1} ms, p99 {k.ConnectP99Ms:F1} ms)");
            text.AppendLine(c, $"               {k.HeapBytesPerSocket:F0} B managed heap and {k.WorkingSetBytesPerSocket:F0} B working set per socket");
            if (k.ConnectTimeline is { Count: > 0 } marks)
            {
                text.AppendLine(c, $"               connected by: {string.Join(", ", marks.Select(m => $"{m.Connected} {m.Seconds:F2} s"))}");
                var last = marks[^1];
                var half = marks.LastOrDefault(m => m.Connected <= last.Connected / 2);
                static string PerConnect(double seconds, int connects, IFormatProvider c) =>
                    seconds < 0 ? "?" : (seconds * 1e6 / connects).ToString("F0", c);
                var line = $"               CPU per connect: client {PerConnect(last.ClientCpuSeconds, last.Connected, c)} µs, server {PerConnect(last.ServerCpuSeconds, last.Connected, c)} µs";
                if (half is not null)
                {
                    var n = last.Connected - half.Connected;
                    line += $"; second half: client {PerConnect(last.ClientCpuSeconds - half.ClientCpuSeconds, n, c)} µs, server {PerConnect(last.ServerCpuSeconds < 0 ? -1 : last.ServerCpuSeconds - half.ServerCpuSeconds, n, c)} µs";
                }

                text.AppendLine(line + $" (load average {k.LoadAverage ?? "?"})");
                foreach (var share in k.AllocationProfile ?? [])
                {
                    text.AppendLine(c, $"               {share.Percent,5:F1} %  {share.Type}");
                }

                text.AppendLine(c, $"               GC while connecting: {last.Gen0Collections} collections, {last.Gen2Collections} full, {last.GcPauseSeconds:F2} s paused; {last.AllocatedBytes / (double)last.Connected:F0} B allocated per connect");
            }
        }

        foreach (var error in new[] { Sequential?.FirstError, Pipelined?.FirstError, Sockets?.FirstError, Error })
        {
            if (error is not null)
            {
                text.AppendLine(c, $"  error        {error}");
            }
        }

        return text.ToString();
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LoadReport))]
[JsonSerializable(typeof(CompareReport))]
[JsonSerializable(typeof(AllocationShare[]))]
internal sealed partial class ReportJson : JsonSerializerContext;
