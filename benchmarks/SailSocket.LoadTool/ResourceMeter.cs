using System.Diagnostics;

namespace SailSocket.LoadTool;

/// <summary>What a stretch of the run cost the whole process: CPU time, managed bytes allocated, thread-pool work items.</summary>
internal readonly record struct ResourceUse(double CpuSeconds, long AllocatedBytes, long ThreadPoolItems)
{
    /// <summary>The two stretches' costs together.</summary>
    public ResourceUse Add(ResourceUse other) =>
        new(CpuSeconds + other.CpuSeconds, AllocatedBytes + other.AllocatedBytes, ThreadPoolItems + other.ThreadPoolItems);
}

/// <summary>
/// Reads the process's counters at the start of a stretch (<see cref="Start"/>) and returns what they grew by at its
/// end (<see cref="Stop"/>). The CPU time is <see cref="Process.TotalProcessorTime"/> (getrusage on Linux: microsecond
/// resolution, fine enough for a 50-request block); the allocation count is precise
/// (<c>GC.GetTotalAllocatedBytes(true)</c>, a couple of µs): the approximate count moves in whole allocation quanta
/// (8 KB per thread), as much as a short block allocates in all.
/// </summary>
internal readonly struct ResourceMeter
{
    private static readonly Process s_process = Process.GetCurrentProcess();

    private readonly TimeSpan _cpu0;
    private readonly long _items0;
    private readonly long _alloc0;

    private ResourceMeter(TimeSpan cpu0, long items0, long alloc0)
    {
        _cpu0 = cpu0;
        _items0 = items0;
        _alloc0 = alloc0;
    }

    public static ResourceMeter Start()
    {
        var cpu0 = s_process.TotalProcessorTime;
        var items0 = ThreadPool.CompletedWorkItemCount;
        return new ResourceMeter(cpu0, items0, GC.GetTotalAllocatedBytes(precise: true));
    }

    public ResourceUse Stop()
    {
        var alloc = GC.GetTotalAllocatedBytes(precise: true) - _alloc0;
        var items = ThreadPool.CompletedWorkItemCount - _items0;
        var cpu = s_process.TotalProcessorTime - _cpu0;
        return new ResourceUse(cpu.TotalSeconds, alloc, items);
    }
}
