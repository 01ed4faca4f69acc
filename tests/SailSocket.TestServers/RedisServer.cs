using System;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.TestServers;

/// <summary>
/// A real Redis server (the Debian package <c>redis-server</c>; <c>.ci/run</c> installs it where missing) on 127.0.0.1
/// and a free port, with nothing persisted (<c>--save '' --appendonly no</c>): the shared bus and session store of a
/// <see cref="SailsCluster"/>. <see cref="RestartAsync"/> brings it back on the same port, empty.
/// </summary>
/// <remarks>
/// Redis does not watch its standard input, so it runs under the same parent-death watchdog as the Node apps
/// (<see cref="NodeAppServer"/>'s remarks): when this process goes away by any means, the watchdog kills it. It is
/// stopped by process id, never by name. Every wait is bounded.
/// </remarks>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly object _gate = new();
    private readonly StringBuilder _output = new();
    private Process? _process;
    private Process? _watchdog;

    private RedisServer(int port)
    {
        Port = port;
        Url = new Uri($"redis://127.0.0.1:{port}");
    }

    /// <summary>The port Redis listens on (127.0.0.1 only); the same across restarts.</summary>
    public int Port { get; }

    /// <summary>The server's URL, <c>redis://127.0.0.1:port</c>, as <c>SAILS_REDIS_URL</c> takes it.</summary>
    public Uri Url { get; }

    /// <summary>Whether the Redis process is running.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false };
            }
        }
    }

    /// <summary>The Redis process id (of the current run).</summary>
    public int ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _process?.Id ?? throw new InvalidOperationException("Redis is not running.");
            }
        }
    }

    /// <summary>
    /// Plays the launcher's death for the watchdog (closes its end of the watchdog's pipe, as the kernel does when this
    /// process dies): the watchdog then kills Redis. For the fixture's own test.
    /// </summary>
    public void AbandonToWatchdog()
    {
        lock (_gate)
        {
            _watchdog?.StandardInput.Close();
        }
    }

    /// <summary>Everything Redis printed so far, across restarts.</summary>
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

    /// <summary>Starts Redis on a free 127.0.0.1 port and waits until it accepts connections.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    /// <exception cref="InvalidOperationException"><c>redis-server</c> is not installed, or did not start.</exception>
    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken = default)
    {
        // A port picked by binding port 0 may be taken again before Redis binds it: a few tries with fresh ports.
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(FreePort());
            try
            {
                await server.RunAsync(cancellationToken);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.Output.Contains("Address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Kills Redis at once (SIGKILL): every client connection drops, every key is lost.</summary>
    public void Kill()
    {
        Process? process;
        Process? watchdog;
        lock (_gate)
        {
            (process, watchdog) = (_process, _watchdog);
            (_process, _watchdog) = (null, null);
        }

        Stop(process, watchdog);
    }

    /// <summary>Kills Redis (if running) and starts it again on the same port, empty.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when Redis accepts connections again.</returns>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        Kill();
        await RunAsync(cancellationToken);
    }

    /// <summary>Stops Redis by process id and ends its watchdog.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server could not be started.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it).", ex);
        }

        Process watchdog;
        try
        {
            watchdog = NodeAppServer.StartWatchdog(process.Id);
        }
        catch
        {
            NodeAppServer.Kill(process);
            process.Dispose();
            throw;
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"redis-server exited before it was ready on port {Port}."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(s_startTimeout, cancellationToken);
        }
        catch (Exception ex)
        {
            Stop(process, watchdog);
            throw new InvalidOperationException($"redis-server did not start on port {Port}: {ex.Message}\n{Output}", ex);
        }

        lock (_gate)
        {
            (_process, _watchdog) = (process, watchdog);
        }
    }

    private static void Stop(Process? process, Process? watchdog)
    {
        if (process is not null)
        {
            NodeAppServer.Kill(process);
            process.WaitForExit(10_000);
            process.Dispose();
        }

        // Only once Redis is gone: the watchdog is killed rather than let go, so it never signals a pid already reused.
        if (watchdog is not null)
        {
            NodeAppServer.StopWatchdog(watchdog);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
