using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SailSocket.TestServers;

namespace SailSocket.LoadTool;

/// <summary>A server the load tool started on 127.0.0.1 for the run, stopped when the run ends.</summary>
internal sealed partial class LiftedServer : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);

    private readonly Func<ValueTask> _stop;

    private LiftedServer(string name, Uri url, Func<ValueTask> stop)
    {
        Name = name;
        Url = url;
        _stop = stop;
    }

    public string Name { get; }

    public Uri Url { get; }

    /// <summary>The bundled Sails app (tests/sails-app), through the test fixture.</summary>
    /// <param name="tls">With <c>--tls</c>: the app serves https/wss with this certificate (<c>TLS_CERT</c>, <c>TLS_KEY</c>).</param>
    public static async Task<LiftedServer> LiftSailsAsync(TlsCertificate? tls = null)
    {
        var server = await SailsServer.StartAsync(tls is null ? null : new Dictionary<string, string> { ["TLS_CERT"] = tls.CertificatePath, ["TLS_KEY"] = tls.KeyPath });

        // The fixture reports an http URL; the same port serves https when the app was given a certificate.
        var url = tls is null ? server.Url : new UriBuilder(server.Url) { Scheme = "https" }.Uri;
        return new LiftedServer("sails", url, server.DisposeAsync);
    }

    /// <summary>benchmarks/socketio-ack-server: <c>npm ci</c> if its packages are missing, then <c>node server.js</c> with PORT=0.</summary>
    /// <param name="tls">With <c>--tls</c>: the server speaks https/wss with this certificate (<c>TLS_CERT</c>, <c>TLS_KEY</c>).</param>
    public static async Task<LiftedServer> LiftSocketIoAsync(TlsCertificate? tls = null)
    {
        var directory = FindServerDirectory();
        if (!File.Exists(Path.Combine(directory, "node_modules", "socket.io", "package.json")))
        {
            await Console.Error.WriteLineAsync($"npm ci in {directory}");
            using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund")
            {
                WorkingDirectory = directory,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("npm could not be started.");
            var stdout = npm.StandardOutput.ReadToEndAsync();
            var stderr = npm.StandardError.ReadToEndAsync();
            using var bound = new CancellationTokenSource(s_installTimeout);
            try
            {
                await npm.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                npm.Kill(entireProcessTree: true);
                throw new TimeoutException($"npm ci in {directory} took longer than {s_installTimeout}.");
            }

            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci failed in {directory} (exit {npm.ExitCode}):\n{await stdout}\n{await stderr}");
            }
        }

        var start = new ProcessStartInfo("node", "server.js")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            // The server exits when its standard input closes: it never outlives the load tool.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PORT"] = "0";
        if (tls is not null)
        {
            start.Environment["TLS_CERT"] = tls.CertificatePath;
            start.Environment["TLS_KEY"] = tls.KeyPath;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                Console.Error.WriteLine("socketio-ack-server: " + line);
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The socket.io server exited before it listened."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        int port;
        try
        {
            port = await listening.Task.WaitAsync(s_startTimeout);
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }

        return new LiftedServer("socketio", new Uri($"{(tls is null ? "http" : "https")}://127.0.0.1:{port}"), async () =>
        {
            Stop(process);
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
            }

            process.Dispose();
        });
    }

    public ValueTask DisposeAsync() => _stop();

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    internal static string FindServerDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "benchmarks", "socketio-ack-server");
            if (File.Exists(Path.Combine(candidate, "server.js")) && File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"benchmarks/socketio-ack-server was not found above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"SOCKETIO ACK SERVER LISTENING on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
