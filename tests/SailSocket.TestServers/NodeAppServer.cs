using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.TestServers;

/// <summary>
/// A Node app from <c>tests/</c> run on 127.0.0.1 and a port the OS picks: the bundled Sails app (<see cref="SailsServer"/>)
/// or a plain socket.io fixture (<see cref="StartSocketIoAsync"/>, <see cref="StartSocketIo2Async"/>). Installs the app's
/// pinned npm packages with <c>npm ci</c> on first use, under a file lock shared with other test processes.
/// </summary>
/// <remarks>
/// The app reads its standard input and exits when it closes, so it never outlives this process even if the process
/// is killed. A stopped app (<see cref="Pause"/>) cannot notice that, so each app also has a watchdog: a tiny
/// <c>sh</c> that is never paused, ignores the job-control and terminal signals, and waits for its own standard input
/// (a pipe from this process) to close; when this process goes away by any means (even SIGKILL, or a background job
/// whose session is killed), the watchdog sends the app SIGCONT then SIGKILL. Every wait is bounded.
/// </remarks>
public sealed class NodeAppServer : IAsyncDisposable
{
    private static readonly TimeSpan s_liftTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);
    private static readonly SemaphoreSlim s_installGate = new(1, 1);
    private static readonly Regex s_socketIoListening = new(@"SOCKETIO APP LISTENING on 127\.0\.0\.1:(\d+)", RegexOptions.CultureInvariant);

    // $0 is the app's pid. INT/TERM/HUP/TSTP/TTIN/TTOU are ignored (a signal to the whole job must not end the watchdog
    // before the app), stdio other than the pipe goes to /dev/null (a background job never writes to the terminal), and
    // the read loop (a shell builtin: no child process) ends when the launcher's end of the pipe closes: at its exit,
    // whatever the cause.
    private const string WatchdogScript =
        "trap '' INT TERM HUP TSTP TTIN TTOU; exec >/dev/null 2>&1; while read -r _; do :; done; kill -CONT \"$0\"; kill -KILL \"$0\"";

    private readonly Process _process;
    private readonly Process _watchdog;
    private readonly StringBuilder _output = new();
    private int _watchdogEnded;

    private NodeAppServer(Process process, Process watchdog, int port)
    {
        _process = process;
        _watchdog = watchdog;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>The port the app listens on (127.0.0.1 only).</summary>
    public int Port { get; }

    /// <summary>The app's base URL.</summary>
    public Uri Url { get; }

    /// <summary>Whether the Node process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>The Node process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Plays the launcher's death for the watchdog (closes its end of the watchdog's pipe, as the kernel does when this
    /// process dies): the watchdog then resumes and kills the app, paused or not. For the fixture's own test.
    /// </summary>
    public void AbandonToWatchdog() => _watchdog.StandardInput.Close();

    /// <summary>Everything the app printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Lifts the plain socket.io 4.x fixture (tests/socketio-app; see its server.js for the events and environment).</summary>
    /// <param name="environment">Extra environment variables (<c>ALLOW_EIO3=1</c>, <c>MAX_HTTP_BUFFER_SIZE</c>, …), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    public static Task<NodeAppServer> StartSocketIoAsync(IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        StartAsync("socketio-app", "server.js", "socket.io", s_socketIoListening, environment, cancellationToken);

    /// <summary>Lifts the socket.io 2.x fixture (tests/socketio2-app): Engine.IO 3 only.</summary>
    /// <param name="environment">Extra environment variables, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    public static Task<NodeAppServer> StartSocketIo2Async(IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        StartAsync("socketio2-app", "server.js", "socket.io", s_socketIoListening, environment, cancellationToken);

    /// <summary>Installs the app's packages if needed, runs it and waits until it prints the line that gives its port.</summary>
    /// <param name="appFolder">The folder under <c>tests/</c>.</param>
    /// <param name="entryFile">The script Node runs.</param>
    /// <param name="markerPackage">A package whose presence in node_modules says the install completed.</param>
    /// <param name="listening">Matches the line the app prints once it listens; group 1 is the port.</param>
    /// <param name="environment">Extra environment variables; <c>PORT</c> defaults to 0 (the OS picks).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running app; dispose it to stop it.</returns>
    public static async Task<NodeAppServer> StartAsync(
        string appFolder,
        string entryFile,
        string markerPackage,
        Regex listening,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listening);
        var appDirectory = SailsAppLocator.FindAppDirectory(appFolder, entryFile);
        await EnsureInstalledAsync(appDirectory, markerPackage, cancellationToken);
        var start = new ProcessStartInfo("node", entryFile)
        {
            WorkingDirectory = appDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PORT"] = "0";
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        Process watchdog;
        try
        {
            watchdog = StartWatchdog(process.Id);
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }

        var lifted = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            var match = listening.Match(line);
            if (match.Success)
            {
                lifted.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => lifted.TrySetException(new InvalidOperationException($"tests/{appFolder} exited before it listened."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var port = await lifted.Task.WaitAsync(s_liftTimeout, cancellationToken);
            var server = new NodeAppServer(process, watchdog, port);
            process.OutputDataReceived += (_, e) => server.Append(e.Data);
            process.ErrorDataReceived += (_, e) => server.Append(e.Data);
            lock (output)
            {
                server.Append(output.ToString());
            }

            return server;
        }
        catch (Exception ex)
        {
            Kill(process);
            process.WaitForExit(10_000);
            StopWatchdog(watchdog);
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            throw new InvalidOperationException($"tests/{appFolder} did not start: {ex.Message}\n{text}", ex);
        }
    }

    /// <summary>Freezes the app (SIGSTOP): connections stay open but nothing is answered, heartbeats included.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a paused app run again (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    /// <summary>Kills the app at once (a crash, as far as clients can tell), then its watchdog.</summary>
    public void Kill()
    {
        Kill(_process);
        if (_process.WaitForExit(10_000))
        {
            EndWatchdog();
        }
    }

    /// <summary>Stops the app (SIGKILL ends a paused one too) and waits for the process to exit, then ends its watchdog.</summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
        }

        // Only once the app is gone: the watchdog is killed rather than let go, so it never signals a pid already reused.
        EndWatchdog();
        _process.Dispose();
    }

    private void EndWatchdog()
    {
        if (Interlocked.Exchange(ref _watchdogEnded, 1) == 0)
        {
            StopWatchdog(_watchdog);
        }
    }

    /// <summary>Starts the parent-death watchdog of <paramref name="appProcessId"/> (see the type's remarks); shared with <see cref="RedisServer"/>.</summary>
    internal static Process StartWatchdog(int appProcessId)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(WatchdogScript);
        start.ArgumentList.Add(appProcessId.ToString(CultureInfo.InvariantCulture));
        return Process.Start(start) ?? throw new InvalidOperationException("the watchdog (sh) could not be started.");
    }

    internal static void StopWatchdog(Process watchdog)
    {
        Kill(watchdog);
        watchdog.WaitForExit(10_000);
        watchdog.StandardInput.Close();
        watchdog.Dispose();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {_process.Id}") { UseShellExecute = false })
            ?? throw new InvalidOperationException("kill could not be started.");
        if (!kill.WaitForExit(5000) || kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed.");
        }
    }

    internal static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        // Kill(entireProcessTree: true) sends SIGSTOP first, then lists the children, then SIGKILL: when the listing
        // throws (a process of the shared machine exiting under it), the process is left stopped for good. SIGKILL it
        // whatever happened above.
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    private static async Task EnsureInstalledAsync(string appDirectory, string markerPackage, CancellationToken cancellationToken)
    {
        if (IsInstalled(appDirectory, markerPackage))
        {
            return;
        }

        await s_installGate.WaitAsync(cancellationToken);
        try
        {
            if (IsInstalled(appDirectory, markerPackage))
            {
                return;
            }

            // Another process (a second test assembly, the demo) may install at the same time: serialise on a lock file.
            using var lockFile = await AcquireFileLockAsync(Path.Combine(appDirectory, ".npm-install.lock"), cancellationToken);
            if (IsInstalled(appDirectory, markerPackage))
            {
                return;
            }

            var npm = new ProcessStartInfo("npm", "ci --no-audit --no-fund")
            {
                WorkingDirectory = appDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(npm) ?? throw new InvalidOperationException("npm could not be started.");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(s_installTimeout);
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                throw new TimeoutException($"npm ci in {appDirectory} took longer than {s_installTimeout}.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci failed in {appDirectory} (exit {process.ExitCode}):\n{await stdout}\n{await stderr}");
            }
        }
        finally
        {
            s_installGate.Release();
        }
    }

    // Installed, and from the current lock: a pull that changes package-lock.json (new packages) makes npm ci run again.
    private static bool IsInstalled(string appDirectory, string markerPackage)
    {
        var installed = new FileInfo(Path.Combine(appDirectory, "node_modules", ".package-lock.json"));
        var pinned = new FileInfo(Path.Combine(appDirectory, "package-lock.json"));
        return installed.Exists
            && (!pinned.Exists || installed.LastWriteTimeUtc >= pinned.LastWriteTimeUtc)
            && File.Exists(Path.Combine(appDirectory, "node_modules", markerPackage, "package.json"));
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + s_installTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private void Append(string? text)
    {
        if (text is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(text);
        }
    }
}
