using System.Diagnostics;
using Xunit.Abstractions;

namespace SailSocket.IntegrationTests.Reliability;

/// <summary>
/// Resource hygiene: many connect/dispose cycles of a <see cref="SailsSocket"/> against the shared Sails server,
/// then the <see cref="SailsClient"/> disposed, leave no growth in file descriptors, threads, timers or thread-pool work,
/// and no unobserved task exception.
/// </summary>
[Collection(ReliabilityGroup.Name)]
public sealed class ResourceHygieneTests(ITestOutputHelper output)
{
    /// <summary>Overrides the number of cycles (docs/reliability.md).</summary>
    public const string CyclesVariable = "SAILSOCKET_HYGIENE_CYCLES";

    private const int DefaultCycles = 1000;

    // Tolerances: the thread pool may keep a few more idle workers for ~20 s, the runtime may hold a handle or two (xunit's
    // own pipes, the GC's), and a work item may be in flight while sampling. A leak per cycle would be ~1000.
    private const int FdTolerance = 8;
    private const int ThreadTolerance = 8;
    private const int TimerTolerance = 1;
    private const int PendingWorkTolerance = 2;

    [Fact]
    public async Task Connect_dispose_cycles_and_a_disposed_client_leave_no_handles_threads_timers_or_unobserved_exceptions()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable(CyclesVariable), out var n) && n > 0 ? n : DefaultCycles;
        var server = await SharedSailsServer.GetAsync();
        var unobserved = new List<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            lock (unobserved)
            {
                unobserved.Add(e.Exception);
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            // Warm up: the first connections load code, size the thread pool and open the HTTP handler's pools.
            await RunCyclesAsync(server.Url, 20);
            var before = await SettledAsync(baseline: null);
            output.WriteLine($"before: {before}");

            var stopwatch = Stopwatch.StartNew();
            await RunCyclesAsync(server.Url, cycles);
            stopwatch.Stop();
            var after = await SettledAsync(before);
            output.WriteLine($"after {cycles} cycles in {stopwatch.Elapsed.TotalSeconds:0.0} s ({stopwatch.Elapsed.TotalMilliseconds / cycles:0.0} ms each): {after}");

            Assert.True(after.FileDescriptors <= before.FileDescriptors + FdTolerance, $"File descriptors grew: {before} -> {after}");
            Assert.True(after.Threads <= before.Threads + ThreadTolerance, $"Threads grew: {before} -> {after}");
            Assert.True(after.Timers <= before.Timers + TimerTolerance, $"Timers are left behind by a disposed SailsClient: {before} -> {after}");
            Assert.True(after.PendingWorkItems <= PendingWorkTolerance, $"Thread-pool work is left behind: {after}");
            Assert.True(after.Heap < before.Heap + (16L * 1024 * 1024), $"The heap grew: {before} -> {after}");
        }
        finally
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        lock (unobserved)
        {
            Assert.True(unobserved.Count == 0, "Unobserved task exceptions: " + string.Join("\n", unobserved));
        }
    }

    /// <summary>A fresh client per run, disposed at the end: its timer, handler and buffers must go with it.</summary>
    private static async Task RunCyclesAsync(Uri url, int cycles)
    {
        var client = new SailsClient(new SailsClientOptions { Url = url, ConnectTimeout = TimeSpan.FromSeconds(10), RequestTimeout = TimeSpan.FromSeconds(10) });
        try
        {
            for (var i = 0; i < cycles; i++)
            {
                // Disposed at once: Bound.Seconds would leave a live timer per cycle and mask what the client leaves.
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                var socket = await client.ConnectAsync(bound.Token);
                if (i % 10 == 0)
                {
                    Assert.Equal(200, (await socket.GetAsync($"/echo?cycle={i}", bound.Token)).StatusCode);
                }

                await socket.DisposeAsync().AsTask().Within(10);
            }
        }
        finally
        {
            await client.DisposeAsync().AsTask().Within(15);
        }
    }

    /// <summary>Collects, then samples until the counts come back to the baseline (closing sockets and idle pool threads take a moment), for at most 10 s.</summary>
    private static async Task<Snapshot> SettledAsync(Snapshot? baseline)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var now = Snapshot.Take();
            if (baseline is null || DateTime.UtcNow > deadline
                || (now.FileDescriptors <= baseline.FileDescriptors + FdTolerance && now.Threads <= baseline.Threads + ThreadTolerance
                    && now.Timers <= baseline.Timers + TimerTolerance && now.PendingWorkItems <= PendingWorkTolerance))
            {
                return now;
            }

            await Task.Delay(200);
        }
    }

    private sealed record Snapshot(int FileDescriptors, int Threads, long Timers, long PendingWorkItems, long Heap)
    {
        public static Snapshot Take()
        {
            using var process = Process.GetCurrentProcess();
            var fds = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : process.HandleCount;
            return new Snapshot(fds, process.Threads.Count, Timer.ActiveCount, ThreadPool.PendingWorkItemCount, GC.GetTotalMemory(forceFullCollection: false));
        }

        public override string ToString() =>
            $"fds {FileDescriptors}, threads {Threads}, timers {Timers}, pending work items {PendingWorkItems}, heap {Heap / 1024} KiB";
    }
}
