using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SailSocket.LoadTool;

/// <summary>
/// <c>--client node</c>: Node's socket.io-client 4.8.1 (benchmarks/socketio-ack-server/client.js) runs the same phases
/// with the same parameters in a child process, and its figures are reported like the .NET clients'. CPU and memory are
/// the child's own (process.cpuUsage, heapUsed, rss); allocation and thread-pool columns do not apply (0).
/// </summary>
internal static class NodeLoadRun
{
    public static async Task<int> RunAsync(LoadOptions options, Uri url, string serverName, DateTime started)
    {
        var directory = LiftedServer.FindServerDirectory();
        string? error = null;
        JsonElement result = default;
        if (!File.Exists(Path.Combine(directory, "node_modules", "socket.io-client", "package.json")))
        {
            error = $"socket.io-client is not installed: run npm ci in {directory}.";
        }
        else
        {
            var c = CultureInfo.InvariantCulture;
            var info = new ProcessStartInfo("node")
            {
                WorkingDirectory = directory,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[]
            {
                "--expose-gc", "client.js",
                "--url", url.GetLeftPart(UriPartial.Authority),
                "--n", options.N.ToString(c),
                "--warmup", options.Warmup.ToString(c),
                "--concurrency", options.Concurrency.ToString(c),
                "--seconds", options.Seconds.ToString(c),
                "--sockets", options.Sockets.ToString(c),
                "--connect-concurrency", options.ConnectConcurrency.ToString(c),
                "--timeout", options.Timeout.TotalSeconds.ToString(c),
            })
            {
                info.ArgumentList.Add(arg);
            }

            if (options.Certificate is { } tls)
            {
                info.ArgumentList.Add("--ca");
                info.ArgumentList.Add(tls.CertificatePath);
            }

            if (!options.RunRequestPhases)
            {
                info.ArgumentList[info.ArgumentList.IndexOf("--n") + 1] = "0";
                info.ArgumentList[info.ArgumentList.IndexOf("--seconds") + 1] = "0";
            }

            using var node = Process.Start(info) ?? throw new InvalidOperationException("node could not be started.");
            var stdout = node.StandardOutput.ReadToEndAsync();
            var stderr = node.StandardError.ReadToEndAsync();

            // Bounded: the phases plus the warm-up and the sockets, with room for a slow machine.
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds + options.Timeout.TotalSeconds + 600));
            try
            {
                await node.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                node.Kill(entireProcessTree: true);
                error = "node client did not finish in time";
            }

            var text = (await stdout).Trim();
            if (error is null && text.Length > 0)
            {
                result = JsonDocument.Parse(text).RootElement.Clone();
                if (result.TryGetProperty("error", out var nodeError))
                {
                    error = "node: " + nodeError.GetString();
                }
            }
            else
            {
                error ??= "node client printed nothing: " + (await stderr).Trim();
            }
        }

        var report = new LoadReport(
            "node",
            options.Transport,
            serverName,
            url.ToString(),
            started.ToString("O", CultureInfo.InvariantCulture),
            LoadReport.DescribeMachine(),
            options.Warmup,
            Sequential(result),
            Pipelined(result),
            Sockets(result),
            error);
        Console.Out.WriteLine(report.ToJson());
        await Console.Error.WriteAsync(report.ToSummary());
        return report.Succeeded ? 0 : 1;
    }

    private static SequentialResult? Sequential(JsonElement result) =>
        result.ValueKind == JsonValueKind.Object && result.TryGetProperty("sequential", out var s)
            ? new SequentialResult(s.GetProperty("requests").GetInt32(), s.GetProperty("errors").GetInt32(), Round(s, "p50_us"), Round(s, "p90_us"), Round(s, "p99_us"), Round(s, "mean_us"), Round(s, "max_us"), Math.Round(s.GetProperty("cpu_seconds_per_10k").GetDouble(), 4), 0, 0, null)
            : null;

    private static PipelinedResult? Pipelined(JsonElement result) =>
        result.ValueKind == JsonValueKind.Object && result.TryGetProperty("pipelined", out var p)
            ? new PipelinedResult(p.GetProperty("concurrency").GetInt32(), Round(p, "seconds"), p.GetProperty("requests").GetInt64(), p.GetProperty("errors").GetInt64(), Round(p, "requests_per_second"), Math.Round(p.GetProperty("cpu_seconds_per_10k").GetDouble(), 4), 0, 0, null)
            : null;

    private static SocketsResult? Sockets(JsonElement result) =>
        result.ValueKind == JsonValueKind.Object && result.TryGetProperty("sockets", out var k)
            ? new SocketsResult(k.GetProperty("requested").GetInt32(), k.GetProperty("connect_concurrency").GetInt32(), k.GetProperty("connected").GetInt32(), k.GetProperty("alive").GetInt32(), Math.Round(k.GetProperty("connect_seconds").GetDouble(), 3), 0, 0, Math.Round(k.GetProperty("heap_bytes_per_socket").GetDouble()), Math.Round(k.GetProperty("working_set_bytes_per_socket").GetDouble()), k.GetProperty("errors").GetInt32(), k.GetProperty("first_error").GetString())
            : null;

    private static double Round(JsonElement element, string name) => Math.Round(element.GetProperty(name).GetDouble(), 1);
}
