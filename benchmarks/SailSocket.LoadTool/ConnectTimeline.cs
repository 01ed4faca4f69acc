using System.Diagnostics;

namespace SailSocket.LoadTool;

/// <summary>
/// Where the sockets phase stood at each tenth of the sockets connected: the time since the first connect began, and
/// the CPU seconds this process and the lifted server (this process's children) had spent since then. The steps show a
/// rate that changes along the way (Linux's even-ports-first scan for a source port; docs/benchmarks.md), and the CPU
/// per connect of client and server apart, which the machine's load moves less than the wall clock.
/// </summary>
internal sealed class ConnectTimeline
{
    private static readonly Process s_process = Process.GetCurrentProcess();

    private readonly int _count;
    private readonly int _step;
    private readonly ConnectMark?[] _marks;
    private readonly long _start;
    private readonly double _clientCpu0;
    private readonly double _serverCpu0;
    private readonly TimeSpan _gcPause0 = GC.GetTotalPauseDuration();
    private readonly int _gen0Collections0 = GC.CollectionCount(0);
    private readonly int _gen2Collections0 = GC.CollectionCount(2);
    private readonly long _allocated0 = GC.GetTotalAllocatedBytes();
    private int _connected;

    public ConnectTimeline(int count)
    {
        _count = count;
        _step = Math.Max(1, count / 10);
        _marks = new ConnectMark?[(count + _step - 1) / _step];
        _clientCpu0 = s_process.TotalProcessorTime.TotalSeconds;
        _serverCpu0 = ServerCpuSeconds();
        _start = Stopwatch.GetTimestamp();
    }

    /// <summary>The machine's load averages (1, 5, 15 minutes) as /proc/loadavg gives them, or null off Linux.</summary>
    public static string? LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Counts one more socket connected; at each tenth (and the last), takes the readings.</summary>
    public void Connected()
    {
        var k = Interlocked.Increment(ref _connected);
        if (k % _step == 0 || k == _count)
        {
            var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
            var client = s_process.TotalProcessorTime.TotalSeconds - _clientCpu0;
            var server = _serverCpu0 < 0 ? -1 : ServerCpuSeconds() - _serverCpu0;
            _marks[(k - 1) / _step] = new ConnectMark(k, Math.Round(seconds, 3), Math.Round(client, 2), Math.Round(server, 2))
            {
                GcPauseSeconds = Math.Round((GC.GetTotalPauseDuration() - _gcPause0).TotalSeconds, 3),
                Gen2Collections = GC.CollectionCount(2) - _gen2Collections0,
                Gen0Collections = GC.CollectionCount(0) - _gen0Collections0,
                AllocatedBytes = GC.GetTotalAllocatedBytes() - _allocated0,
            };
        }
    }

    /// <summary>The readings taken, in order.</summary>
    public IReadOnlyList<ConnectMark> Marks => _marks.OfType<ConnectMark>().OrderBy(m => m.Connected).ToArray();

    /// <summary>The CPU seconds of this process's children (the lifted server), or -1 when there are none or no /proc.</summary>
    private static double ServerCpuSeconds()
    {
        var ids = ProcessStats.ChildProcessIds();
        if (ids.Count == 0)
        {
            return -1;
        }

        double total = 0;
        foreach (var id in ids)
        {
            var seconds = ProcessStats.CpuSeconds(id);
            if (seconds >= 0)
            {
                total += seconds;
            }
        }

        return total;
    }
}

/// <summary>
/// One reading of <see cref="ConnectTimeline"/>: sockets connected so far, seconds since the phase began, CPU seconds
/// this process and the server (-1: not known) spent meanwhile, and this process's garbage collections meanwhile.
/// </summary>
internal sealed record ConnectMark(int Connected, double Seconds, double ClientCpuSeconds, double ServerCpuSeconds)
{
    /// <summary>Seconds the runtime was paused for collections.</summary>
    public double GcPauseSeconds { get; init; }

    /// <summary>Collections of generation 0 (each collection of a higher generation counts here too).</summary>
    public int Gen0Collections { get; init; }

    /// <summary>Managed bytes allocated by the whole process (approximate: whole allocation quanta).</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>Full collections.</summary>
    public int Gen2Collections { get; init; }
}
