using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Cli.Bench;
using Spectre.Console;

namespace SailSocket.Cli.Commands;

/// <summary><c>sailsocket bench URL [--sockets K] [--concurrency C] [--duration T]</c>: a load test of one route.</summary>
internal static class BenchCommand
{
    public static Command Create(CommonOptions common, CliTerminal terminal)
    {
        var url = new Argument<string>("URL") { Description = "The server and the route to request, e.g. http://127.0.0.1:1337/echo (/echo when no path)." };
        var sockets = new Option<int>("--sockets") { Description = "Sockets on the one client. Default 4.", DefaultValueFactory = _ => 4 };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Request loops sharing the sockets. Default 16.", DefaultValueFactory = _ => 16 };
        var duration = new Option<string>("--duration") { Description = "How long to run: 10s (default), 1m.", DefaultValueFactory = _ => "10s" };
        var method = new Option<string>("--method", "-X") { Description = "get (default), post, put, patch or delete.", DefaultValueFactory = _ => "get" };
        method.AcceptOnlyFromAmong("get", "post", "put", "patch", "delete");
        var command = new Command("bench", "Load-test a route: requests/s, errors and connected sockets live, then a latency histogram and percentiles.")
        {
            url,
            sockets,
            concurrency,
            duration,
            method,
        };
        common.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var target = TargetUrl.Parse(result.GetRequiredValue(url));
            if (target.Route == "/")
            {
                target = target with { Route = "/echo" };
            }

            var settings = common.Read(result);
            var k = result.GetValue(sockets);
            var c = result.GetValue(concurrency);
            if (k is < 1 or > 1000 || c is < 1 or > 10_000)
            {
                throw new UsageException("--sockets must be 1-1000 and --concurrency 1-10000.");
            }

            var length = DurationParser.Parse(result.GetValue(duration) ?? "10s", "--duration");
            var run = new BenchRun(target, settings, k, c, length, result.GetValue(method) ?? "get", terminal);
            return await run.RunAsync(cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>One bench: K sockets, C loops, T long.</summary>
    private sealed class BenchRun(TargetUrl target, ConnectionSettings settings, int socketCount, int loops, TimeSpan length, string method, CliTerminal terminal)
    {
        private long _requests;
        private long _errors;

        public async Task<int> RunAsync(CancellationToken cancellationToken)
        {
            var client = settings.CreateClient(target, terminal, reconnect: true);
            await using (client.ConfigureAwait(false))
            {
                var sockets = new List<SailsSocket>();
                try
                {
                    var connects = Enumerable.Range(0, socketCount).Select(_ => client.ConnectAsync(cancellationToken)).ToArray();
                    sockets.AddRange(await Task.WhenAll(connects).ConfigureAwait(false));
                }
                catch (Exception ex) when (ex is not UsageException)
                {
                    return Failures.Report(ex, terminal);
                }

                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                stop.CancelAfter(length);
                var histograms = Enumerable.Range(0, loops).Select(_ => new LatencyHistogram()).ToArray();
                var started = Stopwatch.GetTimestamp();
                var work = Task.WhenAll(Enumerable.Range(0, loops).Select(i => LoopAsync(sockets[i % sockets.Count], histograms[i], stop.Token)));
                await ShowProgressAsync(work, sockets, started).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started);
                var total = new LatencyHistogram();
                foreach (var histogram in histograms)
                {
                    total.Add(histogram);
                }

                PrintSummary(total, elapsed);
                return ExitCodes.Success;
            }
        }

        private async Task LoopAsync(SailsSocket socket, LatencyHistogram histogram, CancellationToken stop)
        {
            await Task.Yield();
            while (!stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    var response = await socket.RequestAsync(new SailsRequest(method, target.Route) { Timeout = settings.Timeout }, stop).ConfigureAwait(false);
                    histogram.Record(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                    Interlocked.Increment(ref _requests);
                    if (response.StatusCode >= 400)
                    {
                        Interlocked.Increment(ref _errors);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is SailsConnectionException or SailsTimeoutException or SailsRequestInterruptedException or SailsLimitExceededException)
                {
                    Interlocked.Increment(ref _errors);

                    // A socket that is reconnecting fails at once: do not spin.
                    try
                    {
                        await Task.Delay(50, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }

        private string Status(List<SailsSocket> sockets, long started, long lastRequests, double seconds)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var requests = Interlocked.Read(ref _requests);
            var rate = seconds > 0 ? (requests - lastRequests) / seconds : 0;
            return string.Create(CultureInfo.InvariantCulture, $"{elapsed,5:F1}s  {rate,9:F0} req/s  {requests,9} requests  {Interlocked.Read(ref _errors),6} errors  {sockets.Count(s => s.IsConnected)}/{sockets.Count} sockets connected");
        }

        private async Task ShowProgressAsync(Task work, List<SailsSocket> sockets, long started)
        {
            long last = 0;
            var lastTime = Stopwatch.GetTimestamp();
            string Next()
            {
                var now = Stopwatch.GetTimestamp();
                var line = Status(sockets, started, last, Stopwatch.GetElapsedTime(lastTime, now).TotalSeconds);
                last = Interlocked.Read(ref _requests);
                lastTime = now;
                return line;
            }

            if (terminal.IsTerminal)
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(terminal.Out) });
                await console.Live(new Markup("[grey]starting…[/]")).StartAsync(async context =>
                {
                    while (!work.IsCompleted)
                    {
                        await Task.WhenAny(work, Task.Delay(250)).ConfigureAwait(false);
                        context.UpdateTarget(new Markup(Markup.Escape(Next())));
                        context.Refresh();
                    }
                }).ConfigureAwait(false);
            }
            else
            {
                while (!work.IsCompleted)
                {
                    await Task.WhenAny(work, Task.Delay(1000)).ConfigureAwait(false);
                    terminal.Out.WriteLine(Next());
                    terminal.Out.Flush();
                }
            }

            await work.ConfigureAwait(false);
        }

        private void PrintSummary(LatencyHistogram total, TimeSpan elapsed)
        {
            var output = terminal.Out;
            var errors = Interlocked.Read(ref _errors);
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method.ToUpperInvariant()} {target.Route}: {total.Count} responses, {errors} errors in {elapsed.TotalSeconds:F1}s = {total.Count / elapsed.TotalSeconds:F0} req/s ({socketCount} sockets, {loops} loops)"));
            output.WriteLine();
            output.WriteLine("Latency histogram:");
            var rows = total.Coarse();
            var widest = rows.Count == 0 ? 1 : rows.Max(r => r.Count);
            foreach (var (from, to, count) in rows)
            {
                var bar = new string('#', (int)Math.Round(40.0 * count / Math.Max(1, widest)));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Format(from),9} - {Format(to),-9} {count,9}  {bar}"));
            }

            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p50 {Format(total.Percentile(50))}  p90 {Format(total.Percentile(90))}  p99 {Format(total.Percentile(99))}  max {Format(total.MaxMicroseconds)}"));
            output.Flush();
        }

        private static string Format(double microseconds) => microseconds switch
        {
            < 1000 => string.Create(CultureInfo.InvariantCulture, $"{microseconds:F0}us"),
            < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1000:F1}ms"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1_000_000:F2}s"),
        };
    }
}
