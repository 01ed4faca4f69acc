using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Cli.Output;

namespace SailSocket.Cli.Commands;

/// <summary><c>sailsocket listen URL [EVENT...] [--subscribe /path]...</c>: server events as JSON lines.</summary>
internal static class ListenCommand
{
    public static Command Create(CommonOptions common, CliTerminal terminal)
    {
        var url = new Argument<string>("URL") { Description = "The server, e.g. http://127.0.0.1:1337 (the path is ignored)." };
        var events = new Argument<string[]>("EVENT") { Description = "Event names to print; all events when none.", Arity = ArgumentArity.ZeroOrMore };
        var subscribe = new Option<string[]>("--subscribe", "-s")
        {
            Description = "A request that subscribes, sent after each (re)connect: '/pet' (a GET) or 'POST /room/join' (repeatable).",
        };
        var count = new Option<int?>("--count", "-n") { Description = "Stop after this many events." };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long: 30s, 5m." };
        var command = new Command("listen", "Print server events as JSON lines {\"time\",\"event\",\"data\"} until Ctrl+C; reconnects and resubscribes.")
        {
            url,
            events,
            subscribe,
            count,
            duration,
        };
        common.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var target = TargetUrl.Parse(result.GetRequiredValue(url));
            var settings = common.Read(result);
            var requests = new List<SailsRequest>();
            foreach (var entry in result.GetValue(subscribe) ?? [])
            {
                requests.Add(ParseSubscription(entry));
            }

            var max = result.GetValue(count);
            if (max is <= 0)
            {
                throw new UsageException("--count must be positive.");
            }

            var stopAfter = result.GetValue(duration) is { } text ? DurationParser.Parse(text, "--duration") : (TimeSpan?)null;
            return await RunAsync(target, settings, result.GetValue(events) ?? [], requests, max, stopAfter, terminal, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary><c>/pet</c>, or <c>POST /room/join?room=lobby</c>.</summary>
    private static SailsRequest ParseSubscription(string entry)
    {
        var parts = entry.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        var (method, path) = parts.Length == 2 ? (parts[0].ToUpperInvariant(), parts[1].Trim()) : ("GET", parts.Length == 1 ? parts[0] : string.Empty);
        if (!path.StartsWith('/') || method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE"))
        {
            throw new UsageException("--subscribe must be a route such as /pet or 'POST /room/join'.");
        }

        return new SailsRequest(method, path);
    }

    private static async Task<int> RunAsync(TargetUrl target, ConnectionSettings settings, string[] names, List<SailsRequest> subscriptions, int? max, TimeSpan? stopAfter, CliTerminal terminal, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (stopAfter is { } after)
        {
            stop.CancelAfter(after);
        }

        var printed = 0;
        var gate = new object();
        void Print(SailsEvent e)
        {
            var line = Line(e);
            lock (gate)
            {
                if (max is { } limit && printed >= limit)
                {
                    return;
                }

                terminal.Out.WriteLine(line);
                terminal.Out.Flush();
                if (++printed == max)
                {
                    stop.Cancel();
                }
            }
        }

        var client = settings.CreateClient(target, terminal, reconnect: true);
        await using (client.ConfigureAwait(false))
        {
            try
            {
                var socket = client.CreateSocket();
                var registrations = new List<IDisposable>();
                if (names.Length == 0)
                {
                    registrations.Add(socket.OnAny(Print));
                }
                else
                {
                    foreach (var name in names)
                    {
                        registrations.Add(socket.On(name, Print));
                    }
                }

                socket.Reconnecting += (_, _) => Note(terminal, gate, "reconnecting");
                socket.Reconnected += (_, _) => Note(terminal, gate, "reconnected");
                socket.Disconnected += (_, e) =>
                {
                    if (!stop.IsCancellationRequested)
                    {
                        Note(terminal, gate, $"disconnected ({e.Reason})");
                    }
                };
                socket.Resubscribed += (_, e) => Note(terminal, gate, e.Exception is null
                    ? $"resubscribed {e.Subscription.Request.Method.ToUpperInvariant()} {e.Subscription.Request.Url}"
                    : $"resubscribing {e.Subscription.Request.Method.ToUpperInvariant()} {e.Subscription.Request.Url} failed: {e.Exception.Message}");
                await socket.ConnectAsync(stop.Token).ConfigureAwait(false);
                foreach (var request in subscriptions)
                {
                    request.Timeout = settings.Timeout;
                    await socket.SubscribeAsync(request, stop.Token).ConfigureAwait(false);
                }

                Note(terminal, gate, "listening; Ctrl+C to stop");
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Ctrl+C, --count or --duration: a normal end.
            }
            catch (Exception ex) when (ex is not UsageException)
            {
                return Failures.Report(ex, terminal);
            }
        }

        return ExitCodes.Success;
    }

    private static void Note(CliTerminal terminal, object gate, string text)
    {
        lock (gate)
        {
            terminal.Error.WriteLine($"sailsocket: {text}");
            terminal.Error.Flush();
        }
    }

    /// <summary>The JSON as sent when it is on one line already (it is, from JSON.stringify), else re-written compact.</summary>
    private static string OneLine(ReadOnlySpan<byte> json)
    {
        if (json.IndexOfAny((byte)'\n', (byte)'\r') < 0)
        {
            return Encoding.UTF8.GetString(json);
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json.ToArray());
            return System.Text.Json.JsonSerializer.Serialize(document.RootElement, Output.CliJson.Default.JsonElement);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonPrinter.Quote(Encoding.UTF8.GetString(json));
        }
    }

    /// <summary>One JSON line: <c>{"time":"2026-12-06T23:30:00.123Z","event":"pet","data":{...}}</c>.</summary>
    private static string Line(SailsEvent e)
    {
        var builder = new StringBuilder(64 + e.Data.Length);
        builder.Append("{\"time\":\"")
            .Append(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
            .Append("\",\"event\":")
            .Append(JsonPrinter.Quote(e.Name))
            .Append(",\"data\":");
        if (e.Data.IsEmpty)
        {
            builder.Append("null");
        }
        else
        {
            builder.Append(OneLine(e.Data.Memory.Span));
        }

        if (e.Attachments.Count > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $",\"attachments\":{e.Attachments.Count}");
        }

        return builder.Append('}').ToString();
    }
}
