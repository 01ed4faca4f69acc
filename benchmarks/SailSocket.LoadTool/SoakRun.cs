using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SailSocket.Engine;

namespace SailSocket.LoadTool;

/// <summary>
/// The soak (long) mode: K SailSocket sockets with reconnection on, a steady request rate spread over them, a room
/// broadcast so that server events flow, and a sample of memory, handles and threads every S seconds (docs/benchmarks.md, "Soak").
/// </summary>
internal sealed class SoakRun
{
    private const string Room = "soak";
    private const string EventName = "soak";

    /// <summary>How often the pacer wakes to send the requests that fell due.</summary>
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(20);

    /// <summary>How long events may trail the last broadcast's answer at the end.</summary>
    private static readonly TimeSpan s_eventSettle = TimeSpan.FromSeconds(5);

    private readonly LoadOptions _options;
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly List<SoakSample> _samples = [];
    private readonly Dictionary<string, long> _failuresByType = new(StringComparer.Ordinal);
    private readonly Dictionary<int, double> _childCpu = [];
    private SailsSocket[] _sockets = [];
    private RestartableSailsServer? _server;

    private long _sent;
    private long _answered;
    private long _failed;
    private long _interrupted;
    private long _inFlight;
    private long _skipped;
    private long _broadcasts;
    private long _eventsReceived;
    private long _eventsExpected;
    private long _reconnects;
    private long _disconnects;
    private long _connectErrors;
    private long _resubscribed;
    private long _resubscribeFailures;
    private string? _firstFailure;
    private string? _firstInterruption;
    private readonly List<(double At, string What)> _timeline = [];
    private Stopwatch? _clock;
    private long _disconnectsAtEnd = -1;
    private long _reconnectsAtEnd = -1;

    // The previous sample's readings, for the per-interval rates.
    private double _lastElapsed;
    private long _lastSent;
    private double _lastClientCpu;
    private (double Busy, double Total) _lastMachine;

    private SoakRun(LoadOptions options) => _options = options;

    private bool Restarting => _options.RestartEverySeconds > 0;

    /// <summary>Runs the soak and prints its samples and summary; returns the exit code.</summary>
    public static Task<int> RunAsync(LoadOptions options) => new SoakRun(options).RunAsync();

    private static string Fmt(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static double Slope(List<SoakSample> samples, Func<SoakSample, double> y)
    {
        if (samples.Count < 2)
        {
            return 0;
        }

        double meanX = 0, meanY = 0;
        foreach (var s in samples)
        {
            meanX += s.ElapsedSeconds / 60;
            meanY += y(s);
        }

        meanX /= samples.Count;
        meanY /= samples.Count;
        double num = 0, den = 0;
        foreach (var s in samples)
        {
            var dx = (s.ElapsedSeconds / 60) - meanX;
            num += dx * (y(s) - meanY);
            den += dx * dx;
        }

        return den == 0 ? 0 : Math.Round(num / den, 2);
    }

    private static string Describe(Exception ex) =>
        ex.InnerException is { } inner ? $"{ex.GetType().Name}: {ex.Message} ({inner.GetType().Name}: {inner.Message})" : $"{ex.GetType().Name}: {ex.Message}";

    private async Task<int> RunAsync()
    {
        var started = DateTime.UtcNow;
        string? error = null;
        double connectSeconds = 0, duration = 0, drainSeconds = 0;
        long lost = 0;
        Uri url;
        if (_options.LiftSails)
        {
            await Console.Error.WriteLineAsync("lifting tests/sails-app …");
            try
            {
                _server = await RestartableSailsServer.StartAsync();
            }
            catch (Exception ex)
            {
                await Console.Error.WriteLineAsync("soak: the Sails app did not lift: " + Describe(ex));
                return 1;
            }

            url = _server.Url;
        }
        else
        {
            url = _options.Url!;
        }

        var client = new SailsClient(new SailsClientOptions
        {
            Url = url,
            ConnectTimeout = _options.Timeout,
            RequestTimeout = _options.Timeout,
            Transports = _options.Transport == "polling" ? EngineTransports.Polling : EngineTransports.WebSocket,
            // A long-running service reconnects; the soak checks that doing so leaks nothing either.
            Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromSeconds(1), DelayMax = TimeSpan.FromSeconds(5) },
        });
        try
        {
            var connectWatch = Stopwatch.StartNew();
            error = await ConnectAllAsync(client);
            connectSeconds = connectWatch.Elapsed.TotalSeconds;
            await Console.Error.WriteLineAsync($"soak: {_sockets.Length}/{_options.Sockets} sockets connected and in room '{Room}' in {Fmt(connectSeconds, "F1")} s; " +
                $"{Fmt(_options.Rate, "0.#")} requests/s for {Fmt(_options.Minutes, "0.##")} min, a sample every {Fmt(_options.SampleSeconds, "0.#")} s" +
                (Restarting ? $", server restart every {Fmt(_options.RestartEverySeconds, "0.#")} s" : ""));
            if (error is null)
            {
                (duration, drainSeconds, lost) = await SoakAsync();
            }
        }
        catch (Exception ex)
        {
            error = Describe(ex);
        }
        finally
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await client.DisposeAsync().AsTask().WaitAsync(bound.Token);
            }
            catch (Exception ex)
            {
                error ??= "disposing the client: " + Describe(ex);
            }

            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }

        PrintTimeline();
        var summary = Summarize(url, started, connectSeconds, duration, drainSeconds, lost, error);
        Console.Out.WriteLine(summary.ToJson());
        await Console.Error.WriteLineAsync(
            $"soak {(summary.Succeeded ? "PASSED" : "FAILED")}: {summary.Sent} sent, {summary.Answered} answered, {summary.Failed} failed, " +
            $"{summary.Interrupted} interrupted, {summary.Lost} lost, {summary.Skipped} skipped; {summary.EventsReceived}/{summary.EventsExpected} events, " +
            $"{summary.Reconnects} reconnects, {summary.ServerRestarts} server restarts, {summary.ConnectedAtEnd}/{summary.Sockets} connected at the end; heap slope {Fmt(summary.HeapSlopeBytesPerMinute, "F0")} B/min " +
            $"(second half {Fmt(summary.HeapSlopeSecondHalfBytesPerMinute, "F0")}), fd slope {Fmt(summary.FdSlopePerMinute, "F2")}/min " +
            $"(second half {Fmt(summary.FdSlopeSecondHalfPerMinute, "F2")}), threads {summary.ThreadFirst} → {summary.ThreadLast}" +
            (summary.FirstFailure is null ? "" : $"; first failure: {summary.FirstFailure}") +
            (summary.Error is null ? "" : $"; error: {summary.Error}"));
        return summary.Succeeded ? 0 : 1;
    }

    /// <summary>On stderr: the restarts and the failures, grouped by the tenth of a second they happened in.</summary>
    private void PrintTimeline()
    {
        List<(double At, string What)> timeline;
        lock (_failuresByType)
        {
            timeline = [.. _timeline];
        }

        if (timeline.Count == 0)
        {
            return;
        }

        Console.Error.WriteLine("soak: timeline of restarts and failures (t in s: count × what)");
        foreach (var group in timeline.GroupBy(e => (Math.Floor(e.At * 10) / 10, e.What)).OrderBy(g => g.Key.Item1))
        {
            Console.Error.WriteLine($"  t={Fmt(group.Key.Item1, "F1"),7}  {group.Count()} × {group.Key.What}");
        }

        if (_firstInterruption is not null)
        {
            Console.Error.WriteLine($"  first interruption: {_firstInterruption}");
        }
    }

    /// <summary>Connects every socket (bounded concurrency), listens for the soak event and joins the room.</summary>
    private async Task<string?> ConnectAllAsync(SailsClient client)
    {
        var sockets = new SailsSocket?[_options.Sockets];
        var next = -1;
        string? firstError = null;
        var workers = Enumerable.Range(0, Math.Min(_options.Sockets, _options.ConnectConcurrency)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < sockets.Length)
            {
                try
                {
                    using var bound = new CancellationTokenSource(_options.Timeout);
                    var socket = await client.ConnectAsync(bound.Token);
                    socket.On(EventName, _ => Interlocked.Increment(ref _eventsReceived));
                    socket.Reconnected += (_, _) => Interlocked.Increment(ref _reconnects);
                    socket.Disconnected += (_, _) => Interlocked.Increment(ref _disconnects);
                    socket.ConnectError += (_, _) => Interlocked.Increment(ref _connectErrors);
                    socket.Resubscribed += (_, e) => Interlocked.Increment(ref e.Succeeded ? ref _resubscribed : ref _resubscribeFailures);
                    // Replayed after every reconnect: a restarted server has forgotten its rooms.
                    await socket.SubscribeAsync(SailsRequest.Create("post", "/room/join", new SoakRoomBody(Room), SoakBodyJson.Default.SoakRoomBody), bound.Token);
                    sockets[i] = socket;
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref firstError, $"socket {i}: {Describe(ex)}", null);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        _sockets = sockets.OfType<SailsSocket>().ToArray();
        return _sockets.Length == _options.Sockets ? null : $"{_options.Sockets - _sockets.Length} sockets did not connect; first: {firstError}";
    }

    /// <summary>The soak proper: pacer, broadcaster, restarter and sampler until the time is up, then the drain.</summary>
    private async Task<(double Duration, double Drain, long Lost)> SoakAsync()
    {
        var clock = Stopwatch.StartNew();
        _clock = clock;
        var length = TimeSpan.FromMinutes(_options.Minutes);
        using var stop = new CancellationTokenSource(length);
        TakeSample(clock); // the baseline, right after connecting
        var pacer = PaceAsync(clock, stop.Token);
        var broadcaster = _options.BroadcastSeconds > 0 ? BroadcastAsync(stop.Token) : Task.CompletedTask;
        var restarter = Restarting ? RestartAsync(stop.Token) : Task.CompletedTask;
        var nextSample = TimeSpan.FromSeconds(_options.SampleSeconds);
        while (nextSample < length)
        {
            var wait = nextSample - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            TakeSample(clock);
            nextSample += TimeSpan.FromSeconds(_options.SampleSeconds);
        }

        await Task.WhenAll(pacer, broadcaster, restarter);
        var duration = clock.Elapsed.TotalSeconds;

        // The drain: every request has a deadline (RequestTimeout, time queued included), so all must end within it.
        var drainWatch = Stopwatch.StartNew();
        var drainBound = _options.Timeout + TimeSpan.FromSeconds(15);
        while (Interlocked.Read(ref _inFlight) > 0 && drainWatch.Elapsed < drainBound)
        {
            await Task.Delay(50);
        }

        // Events sent while a socket was away are lost by design, so with restarts there is nothing to wait for.
        while (!Restarting && Interlocked.Read(ref _eventsReceived) < Interlocked.Read(ref _eventsExpected) && drainWatch.Elapsed < drainBound + s_eventSettle)
        {
            await Task.Delay(50);
        }

        // After a restart near the end, sockets without a request queued may still be in their reconnect backoff.
        while (_sockets.Any(s => !s.IsConnected) && drainWatch.Elapsed < drainBound + s_eventSettle + s_eventSettle)
        {
            await Task.Delay(50);
        }

        var drain = drainWatch.Elapsed.TotalSeconds;
        var lost = Interlocked.Read(ref _inFlight);
        // Disposing the client disconnects every socket: what counts is what happened during the soak.
        _disconnectsAtEnd = Interlocked.Read(ref _disconnects);
        _reconnectsAtEnd = Interlocked.Read(ref _reconnects);
        TakeSample(clock);
        return (duration, drain, lost);
    }

    /// <summary>Sends the requests that fell due every tick, round robin over the sockets.</summary>
    private async Task PaceAsync(Stopwatch clock, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(s_tick);
        long issued = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var due = (long)(clock.Elapsed.TotalSeconds * _options.Rate);
                for (; issued < due; issued++)
                {
                    Issue(issued);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Issue(long k)
    {
        if (Interlocked.Read(ref _inFlight) >= _options.MaxInFlight)
        {
            Interlocked.Increment(ref _skipped);
            return;
        }

        var socket = _sockets[(int)(k % _sockets.Length)];
        var post = _options.PostEvery > 0 && k % _options.PostEvery == _options.PostEvery - 1;
        Interlocked.Increment(ref _sent);
        Interlocked.Increment(ref _inFlight);
        Task<SailsResponse> request;
        try
        {
            request = post
                ? socket.PostAsJsonAsync("/echo", new SoakEchoBody(k, "soak request body"), SoakBodyJson.Default.SoakEchoBody).AsTask()
                : socket.GetAsync(EchoUrls.For((int)(k & int.MaxValue))).AsTask();
        }
        catch (Exception ex)
        {
            request = Task.FromException<SailsResponse>(ex);
        }

        _ = CompleteAsync(request, post ? RequestKind.Post : RequestKind.Get, k);
    }

    /// <summary>One broadcast to the soak room every --broadcast-seconds, from each socket in turn.</summary>
    private async Task BroadcastAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.BroadcastSeconds));
        long n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var socket = _sockets[(int)(n % _sockets.Length)];
                Interlocked.Increment(ref _sent);
                Interlocked.Increment(ref _inFlight);
                Task<SailsResponse> request;
                try
                {
                    // Not the soak's stop token: a broadcast sent is waited for like every other request.
                    request = socket.PostAsJsonAsync("/room/broadcast", new SoakBroadcastBody(Room, EventName, new SoakTick(n)), SoakBodyJson.Default.SoakBroadcastBody, CancellationToken.None).AsTask();
                }
                catch (Exception ex)
                {
                    request = Task.FromException<SailsResponse>(ex);
                }

                _ = CompleteAsync(request, RequestKind.Broadcast, n);
                n++;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Kills and relifts the server every --restart-every seconds.</summary>
    private async Task RestartAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.RestartEverySeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var watch = Stopwatch.StartNew();
                lock (_failuresByType)
                {
                    _timeline.Add((_clock!.Elapsed.TotalSeconds, "server killed"));
                }

                // Not cancelled by the end of the soak: a half-done restart would leave no server for the drain.
                await _server!.RestartAsync(CancellationToken.None);
                lock (_failuresByType)
                {
                    _timeline.Add((_clock!.Elapsed.TotalSeconds, "server lifted"));
                }

                await Console.Error.WriteLineAsync($"soak: server killed and lifted again on port {_server.Url.Port} in {Fmt(watch.Elapsed.TotalSeconds, "F1")} s (restart {_server.Restarts})");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits for one request and files it as answered, failed or interrupted. Never throws.</summary>
    private async Task CompleteAsync(Task<SailsResponse> request, RequestKind kind, long k)
    {
        try
        {
            var response = await request.ConfigureAwait(false);
            var problem = Check(response, kind, k);
            if (problem is null)
            {
                Interlocked.Increment(ref _answered);
                if (kind == RequestKind.Broadcast)
                {
                    Interlocked.Increment(ref _broadcasts);
                    Interlocked.Add(ref _eventsExpected, _sockets.Length);
                }
            }
            else
            {
                Fail(response.StatusCode == 200 ? "body" : "status", $"{kind} {k}: {problem}", interrupted: false);
            }
        }
        catch (Exception ex)
        {
            // With restarts, a request the dropped connection failed (sent: interrupted; not sent: refused) is expected.
            Fail(ex.GetType().Name, $"{kind} {k}: {Describe(ex)}", interrupted: Restarting && ex is SailsConnectionException);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Checks that the answer is the one for this request (the echo carries the request's own data).</summary>
    private static string? Check(SailsResponse response, RequestKind kind, long k)
    {
        if (response.StatusCode != 200)
        {
            return $"status {response.StatusCode}";
        }

        if (kind == RequestKind.Broadcast)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(response.Body);
            var root = document.RootElement;
            if (kind == RequestKind.Get)
            {
                var expected = (k & (EchoUrls.Count - 1)).ToString(CultureInfo.InvariantCulture);
                return root.TryGetProperty("query", out var query) && query.TryGetProperty("i", out var i) && i.ValueEquals(expected)
                    ? null
                    : $"the echo's query is not i={expected}";
            }

            return root.TryGetProperty("body", out var body) && body.TryGetProperty("n", out var n) && n.TryGetInt64(out var value) && value == k
                ? null
                : $"the echo's body is not n={k}";
        }
        catch (JsonException ex)
        {
            return "the body is not JSON: " + ex.Message;
        }
    }

    private void Fail(string type, string description, bool interrupted)
    {
        Interlocked.Increment(ref interrupted ? ref _interrupted : ref _failed);
        lock (_failuresByType)
        {
            var key = interrupted ? "interrupted: " + type : type;
            _failuresByType[key] = _failuresByType.GetValueOrDefault(key) + 1;
            if (!interrupted)
            {
                _firstFailure ??= description;
            }
            else
            {
                _firstInterruption ??= description;
            }

            if (interrupted || _timeline.Count < 1000)
            {
                _timeline.Add((_clock?.Elapsed.TotalSeconds ?? 0, key));
            }
        }
    }

    private void TakeSample(Stopwatch clock)
    {
        var elapsed = clock.Elapsed.TotalSeconds;
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var gc = GC.GetGCMemoryInfo();
        _process.Refresh();
        var cpu = _process.TotalProcessorTime.TotalSeconds;
        var serverCpu = ServerCpuSeconds();
        var machine = ProcessStats.MachineCpuSeconds();
        var rss = ProcessStats.ResidentSet();
        var sent = Interlocked.Read(ref _sent);
        var interval = elapsed - _lastElapsed;
        var first = _samples.Count == 0;
        var sample = new SoakSample
        {
            ElapsedSeconds = Math.Round(elapsed, 1),
            Sent = sent,
            Answered = Interlocked.Read(ref _answered),
            Failed = Interlocked.Read(ref _failed),
            Interrupted = Interlocked.Read(ref _interrupted),
            InFlight = Interlocked.Read(ref _inFlight),
            Skipped = Interlocked.Read(ref _skipped),
            Broadcasts = Interlocked.Read(ref _broadcasts),
            EventsReceived = Interlocked.Read(ref _eventsReceived),
            EventsExpected = Interlocked.Read(ref _eventsExpected),
            HeapAfterGcBytes = heap,
            GcHeapSizeBytes = gc.HeapSizeBytes,
            GcFragmentedBytes = gc.FragmentedBytes,
            GcCommittedBytes = gc.TotalCommittedBytes,
            Gen0Bytes = gc.GenerationInfo[0].SizeAfterBytes,
            Gen1Bytes = gc.GenerationInfo[1].SizeAfterBytes,
            Gen2Bytes = gc.GenerationInfo[2].SizeAfterBytes,
            LohBytes = gc.GenerationInfo[3].SizeAfterBytes,
            PohBytes = gc.GenerationInfo[4].SizeAfterBytes,
            Gen0Collections = GC.CollectionCount(0),
            Gen1Collections = GC.CollectionCount(1),
            Gen2Collections = GC.CollectionCount(2),
            WorkingSetBytes = _process.WorkingSet64,
            PrivateBytes = _process.PrivateMemorySize64,
            RssAnonBytes = rss.Anon,
            RssFileBytes = rss.File,
            RssAnonOutsideGcBytes = rss.Anon < 0 ? -1 : rss.Anon - gc.TotalCommittedBytes,
            JitCompiledMethods = System.Runtime.JitInfo.GetCompiledMethodCount(),
            JitCompiledIlBytes = System.Runtime.JitInfo.GetCompiledILBytes(),
            HandleCount = _process.HandleCount,
            FdCount = ProcessStats.OpenFileDescriptors(),
            FdKinds = ProcessStats.FileDescriptorKinds(),
            ThreadCount = _process.Threads.Count,
            ThreadPoolThreads = ThreadPool.ThreadCount,
            ThreadPoolPending = ThreadPool.PendingWorkItemCount,
            TimerCount = Timer.ActiveCount,
            ConnectedSockets = _sockets.Count(s => s.IsConnected),
            Reconnects = Interlocked.Read(ref _reconnects),
            Disconnects = Interlocked.Read(ref _disconnects),
            ConnectErrors = Interlocked.Read(ref _connectErrors),
            Resubscribed = Interlocked.Read(ref _resubscribed),
            ResubscribeFailures = Interlocked.Read(ref _resubscribeFailures),
            DroppedEvents = _sockets.Sum(s => s.DroppedEventCount),
            ServerRestarts = _server?.Restarts ?? 0,
            ClientCpuSeconds = Math.Round(cpu, 2),
            IntervalRequestsPerSecond = first || interval <= 0 ? 0 : Math.Round((sent - _lastSent) / interval, 1),
            IntervalClientCpuPercent = first || interval <= 0 ? 0 : Math.Round((cpu - _lastClientCpu) * 100 / interval, 1),
            IntervalServerCpuPercent = _server is null ? -1 : first || interval <= 0 ? 0 : Math.Round(serverCpu * 100 / interval, 1),
            IntervalMachineCpuPercent = first || machine.Total <= _lastMachine.Total ? 0
                : Math.Round((machine.Busy - _lastMachine.Busy) * 100 / (machine.Total - _lastMachine.Total), 1),
        };
        _lastElapsed = elapsed;
        _lastSent = sent;
        _lastClientCpu = cpu;
        _lastMachine = machine;
        _samples.Add(sample);
        Console.Out.WriteLine(JsonSerializer.Serialize(sample, SoakReportJson.Default.SoakSample));
        Console.Error.WriteLine(
            $"t={Fmt(sample.ElapsedSeconds, "F0"),5} s  sent {sample.Sent} answered {sample.Answered} failed {sample.Failed} interrupted {sample.Interrupted} in-flight {sample.InFlight} skipped {sample.Skipped}" +
            $" | heap {Fmt(heap / 1048576.0, "F2")} MiB gc-heap {Fmt(gc.HeapSizeBytes / 1048576.0, "F2")} MiB ws {Fmt(sample.WorkingSetBytes / 1048576.0, "F1")} MiB (anon {Fmt(rss.Anon / 1048576.0, "F1")}, outside the GC {Fmt(sample.RssAnonOutsideGcBytes / 1048576.0, "F1")}; file {Fmt(rss.File / 1048576.0, "F1")}) jitted {sample.JitCompiledMethods}" +
            $" fds {sample.FdCount} ({string.Join(' ', sample.FdKinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}:{k.Value}"))}) handles {sample.HandleCount} threads {sample.ThreadCount} pool {sample.ThreadPoolThreads}/{sample.ThreadPoolPending} pending timers {sample.TimerCount}" +
            $" | events {sample.EventsReceived}/{sample.EventsExpected} dropped {sample.DroppedEvents} connected {sample.ConnectedSockets} reconnects {sample.Reconnects} resubscribed {sample.Resubscribed}/{sample.ResubscribeFailures} failed restarts {sample.ServerRestarts}" +
            $" | {Fmt(sample.IntervalRequestsPerSecond, "F0")} req/s, CPU client {Fmt(sample.IntervalClientCpuPercent, "F0")} % server {Fmt(sample.IntervalServerCpuPercent, "F0")} % machine {Fmt(sample.IntervalMachineCpuPercent, "F0")} %");
    }

    /// <summary>The CPU seconds the lifted server's processes used since the previous call (children of this process).</summary>
    private double ServerCpuSeconds()
    {
        if (_server is null)
        {
            return 0;
        }

        double delta = 0;
        var seen = new HashSet<int>();
        foreach (var pid in ProcessStats.ChildProcessIds())
        {
            var now = ProcessStats.CpuSeconds(pid);
            if (now < 0)
            {
                continue;
            }

            seen.Add(pid);
            delta += now - _childCpu.GetValueOrDefault(pid);
            _childCpu[pid] = now;
        }

        foreach (var gone in _childCpu.Keys.Where(pid => !seen.Contains(pid)).ToArray())
        {
            _childCpu.Remove(gone);
        }

        return delta;
    }

    private SoakSummary Summarize(Uri url, DateTime started, double connectSeconds, double duration, double drainSeconds, long lost, string? error)
    {
        var samples = _samples;
        var secondHalf = samples.Skip(samples.Count / 2).ToList();
        // Per-interval figures: the baseline sample has none, and the last one's interval holds the drain.
        var running = samples.Count > 2 ? samples.Skip(1).Take(samples.Count - 2).ToList() : samples.Skip(1).ToList();
        long failed = Interlocked.Read(ref _failed);
        long eventsExpected = Interlocked.Read(ref _eventsExpected), eventsReceived = Interlocked.Read(ref _eventsReceived);
        var reconnects = _reconnectsAtEnd >= 0 ? _reconnectsAtEnd : Interlocked.Read(ref _reconnects);
        var disconnects = _disconnectsAtEnd >= 0 ? _disconnectsAtEnd : Interlocked.Read(ref _disconnects);
        // Events can only be counted on when no connection dropped: events sent while a socket is away are lost by design.
        long? eventsMissing = !Restarting && reconnects == 0 && disconnects == 0 ? Math.Max(0, eventsExpected - eventsReceived) : null;
        Dictionary<string, long> failures;
        lock (_failuresByType)
        {
            failures = new Dictionary<string, long>(_failuresByType, StringComparer.Ordinal);
        }

        // Every socket must be connected at the end (after restarts: reconnected, and back in its room).
        var connectedAtEnd = samples.LastOrDefault()?.ConnectedSockets ?? 0;
        var resubscribeFailures = Interlocked.Read(ref _resubscribeFailures);
        var succeeded = error is null && lost == 0 && failed == 0 && eventsMissing is null or 0 && samples.Count > 0
            && connectedAtEnd == _options.Sockets && resubscribeFailures == 0;
        return new SoakSummary
        {
            Client = "sailsocket",
            Transport = _options.Transport,
            Server = _server is null ? "external" : "sails",
            Url = url.ToString(),
            StartedUtc = started.ToString("O", CultureInfo.InvariantCulture),
            Machine = LoadReport.DescribeMachine(),
            Sockets = _options.Sockets,
            Rate = _options.Rate,
            PostEvery = _options.PostEvery,
            BroadcastSeconds = _options.BroadcastSeconds,
            Minutes = _options.Minutes,
            SampleSeconds = _options.SampleSeconds,
            RestartEverySeconds = _options.RestartEverySeconds,
            ConnectSeconds = Math.Round(connectSeconds, 2),
            DurationSeconds = Math.Round(duration, 1),
            DrainSeconds = Math.Round(drainSeconds, 2),
            Sent = Interlocked.Read(ref _sent),
            Answered = Interlocked.Read(ref _answered),
            Failed = failed,
            Interrupted = Interlocked.Read(ref _interrupted),
            Lost = lost,
            Skipped = Interlocked.Read(ref _skipped),
            Broadcasts = Interlocked.Read(ref _broadcasts),
            EventsReceived = eventsReceived,
            EventsExpected = eventsExpected,
            EventsMissing = eventsMissing,
            Reconnects = reconnects,
            Disconnects = disconnects,
            DroppedEvents = _sockets.Sum(s => s.DroppedEventCount),
            ConnectedAtEnd = connectedAtEnd,
            Resubscribed = Interlocked.Read(ref _resubscribed),
            ResubscribeFailures = resubscribeFailures,
            ServerRestarts = _server?.Restarts ?? 0,
            ServerDowntimeSeconds = Math.Round(_server?.Downtime.TotalSeconds ?? 0, 1),
            FailuresByType = failures,
            FirstFailure = _firstFailure,
            FirstInterruption = _firstInterruption,
            SampleCount = samples.Count,
            HeapSlopeBytesPerMinute = Slope(samples, s => s.HeapAfterGcBytes),
            HeapSlopeSecondHalfBytesPerMinute = Slope(secondHalf, s => s.HeapAfterGcBytes),
            GcHeapSizeSlopeBytesPerMinute = Slope(samples, s => s.GcHeapSizeBytes),
            WorkingSetSlopeBytesPerMinute = Slope(samples, s => s.WorkingSetBytes),
            RssAnonSlopeBytesPerMinute = Slope(samples, s => s.RssAnonBytes),
            RssAnonSlopeSecondHalfBytesPerMinute = Slope(secondHalf, s => s.RssAnonBytes),
            RssAnonOutsideGcSlopeBytesPerMinute = Slope(samples, s => s.RssAnonOutsideGcBytes),
            RssAnonOutsideGcSlopeSecondHalfBytesPerMinute = Slope(secondHalf, s => s.RssAnonOutsideGcBytes),
            JitCompiledMethodsSlopePerMinute = Slope(samples, s => s.JitCompiledMethods),
            FdSlopePerMinute = Slope(samples, s => s.FdCount),
            FdSlopeSecondHalfPerMinute = Slope(secondHalf, s => s.FdCount),
            ThreadSlopePerMinute = Slope(samples, s => s.ThreadCount),
            HeapFirstBytes = samples.FirstOrDefault()?.HeapAfterGcBytes ?? 0,
            HeapLastBytes = samples.LastOrDefault()?.HeapAfterGcBytes ?? 0,
            HeapMaxBytes = samples.Count == 0 ? 0 : samples.Max(s => s.HeapAfterGcBytes),
            FdFirst = samples.FirstOrDefault()?.FdCount ?? 0,
            FdLast = samples.LastOrDefault()?.FdCount ?? 0,
            FdMax = samples.Count == 0 ? 0 : samples.Max(s => s.FdCount),
            ThreadFirst = samples.FirstOrDefault()?.ThreadCount ?? 0,
            ThreadLast = samples.LastOrDefault()?.ThreadCount ?? 0,
            MeanRequestsPerSecond = duration <= 0 ? 0 : Math.Round(Interlocked.Read(ref _sent) / duration, 1),
            MeanClientCpuPercent = running.Count == 0 ? 0 : Math.Round(running.Average(s => s.IntervalClientCpuPercent), 1),
            MeanServerCpuPercent = _server is null || running.Count == 0 ? -1 : Math.Round(running.Average(s => s.IntervalServerCpuPercent), 1),
            MeanMachineCpuPercent = running.Count == 0 ? 0 : Math.Round(running.Average(s => s.IntervalMachineCpuPercent), 1),
            Error = error,
            Succeeded = succeeded,
        };
    }

    private enum RequestKind
    {
        Get,
        Post,
        Broadcast,
    }
}
