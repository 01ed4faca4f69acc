using System.Text.Json;
using System.Text.Json.Serialization;

namespace SailSocket.LoadTool;

/// <summary>One soak sample: counters so far, and the process's memory, handles and threads at that moment.</summary>
internal sealed record SoakSample
{
    public string Type => "sample";

    public double ElapsedSeconds { get; init; }

    /// <summary>Requests handed to the sockets so far (echo GETs and POSTs and broadcasts).</summary>
    public long Sent { get; init; }

    /// <summary>Answered with 200 and the answer matched the request.</summary>
    public long Answered { get; init; }

    /// <summary>Failed unexpectedly: a wrong status or body, a timeout, or (without restarts) any exception.</summary>
    public long Failed { get; init; }

    /// <summary>With --restart-every: failed with a <see cref="SailsConnectionException"/> (the connection dropped).</summary>
    public long Interrupted { get; init; }

    /// <summary>Sent and not yet answered or failed.</summary>
    public long InFlight { get; init; }

    /// <summary>Due but not sent because --max-in-flight requests were outstanding (the machine fell behind).</summary>
    public long Skipped { get; init; }

    public long Broadcasts { get; init; }

    public long EventsReceived { get; init; }

    /// <summary>Answered broadcasts × sockets: the events the sockets should have received.</summary>
    public long EventsExpected { get; init; }

    /// <summary><see cref="GC.GetTotalMemory(bool)"/> with a full collection first.</summary>
    public long HeapAfterGcBytes { get; init; }

    /// <summary><see cref="GCMemoryInfo.HeapSizeBytes"/> of that collection (fragmentation included).</summary>
    public long GcHeapSizeBytes { get; init; }

    public long GcFragmentedBytes { get; init; }

    public long GcCommittedBytes { get; init; }

    public long Gen0Bytes { get; init; }

    public long Gen1Bytes { get; init; }

    public long Gen2Bytes { get; init; }

    public long LohBytes { get; init; }

    public long PohBytes { get; init; }

    public int Gen0Collections { get; init; }

    public int Gen1Collections { get; init; }

    public int Gen2Collections { get; init; }

    public long WorkingSetBytes { get; init; }

    public long PrivateBytes { get; init; }

    /// <summary>Resident anonymous memory (GC heap, native heaps, stacks, JIT code), from /proc/self/status.</summary>
    public long RssAnonBytes { get; init; }

    /// <summary>Resident file-backed pages (mapped assemblies and native libraries).</summary>
    public long RssFileBytes { get; init; }

    /// <summary>
    /// <see cref="RssAnonBytes"/> minus <see cref="GcCommittedBytes"/>: roughly the anonymous memory the GC does not own
    /// (JIT code and loader heaps, native allocations, thread stacks).
    /// </summary>
    public long RssAnonOutsideGcBytes { get; init; }

    /// <summary><see cref="System.Runtime.JitInfo.GetCompiledMethodCount"/>: methods compiled so far, tier-ups included.</summary>
    public long JitCompiledMethods { get; init; }

    public long JitCompiledIlBytes { get; init; }

    /// <summary><see cref="System.Diagnostics.Process.HandleCount"/>.</summary>
    public int HandleCount { get; init; }

    /// <summary>Entries in /proc/self/fd (-1 off Linux).</summary>
    public int FdCount { get; init; }

    /// <summary>The fds by kind (socket, pipe, eventpoll, eventfd, file, dev…).</summary>
    public IReadOnlyDictionary<string, int>? FdKinds { get; init; }

    public int ThreadCount { get; init; }

    public int ThreadPoolThreads { get; init; }

    public long ThreadPoolPending { get; init; }

    public long TimerCount { get; init; }

    public int ConnectedSockets { get; init; }

    public long Reconnects { get; init; }

    public long Disconnects { get; init; }

    public long ConnectErrors { get; init; }

    /// <summary>Room joins replayed after a reconnect that succeeded.</summary>
    public long Resubscribed { get; init; }

    public long ResubscribeFailures { get; init; }

    /// <summary>Sum of <see cref="SailsSocket.DroppedEventCount"/> over the sockets.</summary>
    public long DroppedEvents { get; init; }

    public int ServerRestarts { get; init; }

    public double ClientCpuSeconds { get; init; }

    /// <summary>Requests sent per second since the previous sample.</summary>
    public double IntervalRequestsPerSecond { get; init; }

    /// <summary>This process's CPU since the previous sample, in % of one core.</summary>
    public double IntervalClientCpuPercent { get; init; }

    /// <summary>The lifted server's CPU since the previous sample, in % of one core (-1 when not lifted).</summary>
    public double IntervalServerCpuPercent { get; init; }

    /// <summary>The whole machine's busy time since the previous sample, in % of all cores (other work included).</summary>
    public double IntervalMachineCpuPercent { get; init; }
}

/// <summary>The soak's last line: totals, slopes over the run, and whether it passed.</summary>
internal sealed record SoakSummary
{
    public string Type => "summary";

    public required string Client { get; init; }

    public required string Transport { get; init; }

    public required string Server { get; init; }

    public required string Url { get; init; }

    public required string StartedUtc { get; init; }

    public required MachineInfo Machine { get; init; }

    public int Sockets { get; init; }

    public double Rate { get; init; }

    public int PostEvery { get; init; }

    public double BroadcastSeconds { get; init; }

    public double Minutes { get; init; }

    public double SampleSeconds { get; init; }

    public double RestartEverySeconds { get; init; }

    public double ConnectSeconds { get; init; }

    public double DurationSeconds { get; init; }

    public double DrainSeconds { get; init; }

    public long Sent { get; init; }

    public long Answered { get; init; }

    public long Failed { get; init; }

    public long Interrupted { get; init; }

    /// <summary>Sent, and neither answered nor failed after the bounded drain: must be 0.</summary>
    public long Lost { get; init; }

    public long Skipped { get; init; }

    public long Broadcasts { get; init; }

    public long EventsReceived { get; init; }

    public long EventsExpected { get; init; }

    /// <summary>Expected events not received (checked only without restarts, when every socket stayed connected).</summary>
    public long? EventsMissing { get; init; }

    public long Reconnects { get; init; }

    public long Disconnects { get; init; }

    public long DroppedEvents { get; init; }

    /// <summary>Sockets connected at the last sample: must be all of them.</summary>
    public int ConnectedAtEnd { get; init; }

    public long Resubscribed { get; init; }

    public long ResubscribeFailures { get; init; }

    public int ServerRestarts { get; init; }

    public double ServerDowntimeSeconds { get; init; }

    /// <summary>Failures and interruptions by exception type (or "status"/"body" for a wrong answer).</summary>
    public required IReadOnlyDictionary<string, long> FailuresByType { get; init; }

    public string? FirstFailure { get; init; }

    public string? FirstInterruption { get; init; }

    public int SampleCount { get; init; }

    /// <summary>Least-squares slope of <see cref="SoakSample.HeapAfterGcBytes"/> over every sample, bytes per minute.</summary>
    public double HeapSlopeBytesPerMinute { get; init; }

    /// <summary>The same over the second half of the samples (after any warm-up).</summary>
    public double HeapSlopeSecondHalfBytesPerMinute { get; init; }

    public double GcHeapSizeSlopeBytesPerMinute { get; init; }

    public double WorkingSetSlopeBytesPerMinute { get; init; }

    public double RssAnonSlopeBytesPerMinute { get; init; }

    public double RssAnonSlopeSecondHalfBytesPerMinute { get; init; }

    public double RssAnonOutsideGcSlopeBytesPerMinute { get; init; }

    public double RssAnonOutsideGcSlopeSecondHalfBytesPerMinute { get; init; }

    public double JitCompiledMethodsSlopePerMinute { get; init; }

    public double FdSlopePerMinute { get; init; }

    public double FdSlopeSecondHalfPerMinute { get; init; }

    public double ThreadSlopePerMinute { get; init; }

    public long HeapFirstBytes { get; init; }

    public long HeapLastBytes { get; init; }

    public long HeapMaxBytes { get; init; }

    public int FdFirst { get; init; }

    public int FdLast { get; init; }

    public int FdMax { get; init; }

    public int ThreadFirst { get; init; }

    public int ThreadLast { get; init; }

    public double MeanRequestsPerSecond { get; init; }

    public double MeanClientCpuPercent { get; init; }

    public double MeanServerCpuPercent { get; init; }

    public double MeanMachineCpuPercent { get; init; }

    public string? Error { get; init; }

    public bool Succeeded { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, SoakReportJson.Default.SoakSummary);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SoakSample))]
[JsonSerializable(typeof(SoakSummary))]
internal sealed partial class SoakReportJson : JsonSerializerContext;
