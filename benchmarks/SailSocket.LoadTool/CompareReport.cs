using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SailSocket.LoadTool;

/// <summary>How per-pair ratios B/A spread: the median and quartiles over the block or slice pairs.</summary>
internal sealed record RatioSpread(int Pairs, double Median, double P25, double P75)
{
    public static RatioSpread? Of(List<double> ratios)
    {
        if (ratios.Count == 0)
        {
            return null;
        }

        var sorted = ratios.Order().ToArray();
        return new RatioSpread(sorted.Length, Quantile(sorted, 0.50), Quantile(sorted, 0.25), Quantile(sorted, 0.75));
    }

    /// <summary>Linear interpolation between the nearest ranks.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(sorted.Length - 1, below + 1);
        return Math.Round(sorted[below] + ((sorted[above] - sorted[below]) * (position - below)), 3);
    }
}

/// <summary>The interleaved sequential phase: each client's figures and the ratios B/A (above 1: B is slower or costlier).</summary>
internal sealed record ComparedSequential(
    int Block,
    SequentialResult A,
    SequentialResult B,
    double? RatioP50,
    double? RatioP90,
    double? RatioP99,
    double? RatioMean,
    [property: JsonPropertyName("ratio_cpu_seconds_per_10k")] double? RatioCpuSecondsPer10k,
    double? RatioAllocatedBytesPerRequest,
    RatioSpread? BlockP50Ratio)
{
    /// <param name="allocationsMeasured">False when a side runs in another process (node): its bytes are not measured, the ratio is null.</param>
    public static ComparedSequential From(int block, SequentialResult a, SequentialResult b, List<double> blockRatios, bool allocationsMeasured) => new(
        block,
        a,
        b,
        CompareReport.Ratio(b.P50Us, a.P50Us),
        CompareReport.Ratio(b.P90Us, a.P90Us),
        CompareReport.Ratio(b.P99Us, a.P99Us),
        CompareReport.Ratio(b.MeanUs, a.MeanUs),
        CompareReport.Ratio(b.CpuSecondsPer10k, a.CpuSecondsPer10k),
        allocationsMeasured ? CompareReport.Ratio(b.AllocatedBytesPerRequest, a.AllocatedBytesPerRequest) : null,
        RatioSpread.Of(blockRatios));
}

/// <summary>
/// The interleaved pipelined phase: each client's figures and the ratios B/A (requests/s above 1: B is faster; CPU and
/// bytes above 1: B is costlier).
/// </summary>
internal sealed record ComparedPipelined(
    double SliceSeconds,
    PipelinedResult A,
    PipelinedResult B,
    double? RatioRequestsPerSecond,
    [property: JsonPropertyName("ratio_cpu_seconds_per_10k")] double? RatioCpuSecondsPer10k,
    double? RatioAllocatedBytesPerRequest,
    RatioSpread? SliceRequestsPerSecondRatio)
{
    /// <param name="allocationsMeasured">False when a side runs in another process (node): its bytes are not measured, the ratio is null.</param>
    public static ComparedPipelined From(double sliceSeconds, PipelinedResult a, PipelinedResult b, List<double> sliceRatios, bool allocationsMeasured) => new(
        sliceSeconds,
        a,
        b,
        CompareReport.Ratio(b.RequestsPerSecond, a.RequestsPerSecond),
        CompareReport.Ratio(b.CpuSecondsPer10k, a.CpuSecondsPer10k),
        allocationsMeasured ? CompareReport.Ratio(b.AllocatedBytesPerRequest, a.AllocatedBytesPerRequest) : null,
        RatioSpread.Of(sliceRatios));
}

/// <summary>The one JSON line <c>--compare A,B</c> prints on stdout.</summary>
internal sealed record CompareReport(
    string ClientA,
    string ClientB,
    string Transport,
    string Server,
    string Url,
    string StartedUtc,
    MachineInfo Machine,
    int Warmup,
    ComparedSequential? Sequential,
    ComparedPipelined? Pipelined,
    string? Error)
{
    /// <summary>Tells this line from a single-client <see cref="LoadReport"/>.</summary>
    [JsonPropertyOrder(-1)]
    public string Mode => "compare";

    public bool Succeeded =>
        Error is null
        && Sequential is null or { A.Errors: 0, B.Errors: 0 }
        && Pipelined is null or { A.Errors: 0, B.Errors: 0 };

    /// <summary>b / a to three decimals; null when a is zero (nothing measured).</summary>
    public static double? Ratio(double b, double a) => a > 0 ? Math.Round(b / a, 3) : null;

    public string ToJson() => JsonSerializer.Serialize(this, ReportJson.Default.CompareReport);

    public string ToSummary()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        var width = Math.Max(ClientA.Length, ClientB.Length) + 4;
        var a = $"A {ClientA}".PadRight(width);
        var b = $"B {ClientB}".PadRight(width);
        var ratio = "B/A".PadRight(width);
        text.AppendLine(c, $"compare A {ClientA} with B {ClientB}, interleaved, over {Transport} → {Server} {Url} ({Machine.ProcessorCount} cores, {Machine.Runtime})");
        if (Sequential is { } s)
        {
            text.AppendLine(c, $"  sequential   blocks of {s.Block} round trips per client, alternating (+{Warmup} warm-up each)");
            foreach (var (name, client, r) in new[] { (a, ClientA, s.A), (b, ClientB, s.B) })
            {
                text.AppendLine(c, $"    {name} {r.Requests} requests, {r.Errors} errors: p50 {r.P50Us:F1} µs  p90 {r.P90Us:F1}  p99 {r.P99Us:F1}  mean {r.MeanUs:F1}  max {r.MaxUs:F1}; CPU {r.CpuSecondsPer10k:F3} s/10k, {Allocations(client, r.AllocatedBytesPerRequest, r.ThreadPoolItemsPerRequest)}");
            }

            text.AppendLine(c, $"    {ratio} p50 {F(s.RatioP50)}  p90 {F(s.RatioP90)}  p99 {F(s.RatioP99)}  mean {F(s.RatioMean)}; CPU {F(s.RatioCpuSecondsPer10k)}, bytes {F(s.RatioAllocatedBytesPerRequest)}");
            if (s.BlockP50Ratio is { } spread)
            {
                text.AppendLine(c, $"    {"per block".PadRight(width)} p50 B/A over {spread.Pairs} block pairs: median {spread.Median:F3} (quartiles {spread.P25:F3}–{spread.P75:F3})");
            }
        }

        if (Pipelined is { } p)
        {
            text.AppendLine(c, $"  pipelined    {p.A.Concurrency} outstanding, slices of {p.SliceSeconds:0.0##} s per client, alternating");
            foreach (var (name, client, r) in new[] { (a, ClientA, p.A), (b, ClientB, p.B) })
            {
                text.AppendLine(c, $"    {name} {r.Requests} requests in {r.Seconds:F1} s, {r.Errors} errors: {r.RequestsPerSecond:F0} requests/s; CPU {r.CpuSecondsPer10k:F3} s/10k, {Allocations(client, r.AllocatedBytesPerRequest, r.ThreadPoolItemsPerRequest)}");
            }

            text.AppendLine(c, $"    {ratio} requests/s {F(p.RatioRequestsPerSecond)}; CPU {F(p.RatioCpuSecondsPer10k)}, bytes {F(p.RatioAllocatedBytesPerRequest)}");
            if (p.SliceRequestsPerSecondRatio is { } spread)
            {
                text.AppendLine(c, $"    {"per slice".PadRight(width)} requests/s B/A over {spread.Pairs} slice pairs: median {spread.Median:F3} (quartiles {spread.P25:F3}–{spread.P75:F3})");
            }
        }

        foreach (var (label, error) in new[]
        {
            ($"sequential {ClientA} (A)", Sequential?.A.FirstError), ($"sequential {ClientB} (B)", Sequential?.B.FirstError),
            ($"pipelined {ClientA} (A)", Pipelined?.A.FirstError), ($"pipelined {ClientB} (B)", Pipelined?.B.FirstError),
            ("run", Error),
        })
        {
            if (error is not null)
            {
                text.AppendLine(c, $"  error        {label}: {error}");
            }
        }

        return text.ToString();
    }

    /// <summary>Bytes and thread-pool items per request; n/a for Node's client (another process, another runtime: its JSON fields are 0).</summary>
    private static string Allocations(string client, double bytes, double items) =>
        client == LoadOptions.ClientName(ClientKind.Node)
            ? "allocation n/a (node)"
            : string.Create(CultureInfo.InvariantCulture, $"{bytes:F0} B and {items:F2} items per request");

    private static string F(double? ratio) => ratio is { } r ? r.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
}
