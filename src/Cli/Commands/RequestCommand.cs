using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Cli.Output;

namespace SailSocket.Cli.Commands;

/// <summary><c>sailsocket get|post|put|patch|delete URL [--data JSON|@file] [-H 'Name: value']...</c>.</summary>
internal static class RequestCommand
{
    public static Command Create(string method, CommonOptions common, CliTerminal terminal)
    {
        var url = new Argument<string>("URL") { Description = "The server and the route: http://127.0.0.1:1337/pet?limit=2" };
        var data = new Option<string>("--data", "-d") { Description = "The request's JSON parameters, inline or @file.json." };
        var include = new Option<bool>("--include", "-i") { Description = "Print the status line and headers even when the output is not a terminal." };
        var raw = new Option<bool>("--raw") { Description = "Print the body as received, without indentation or colour, even on a terminal." };
        var command = new Command(method, $"Send a {method.ToUpperInvariant()} request over a socket; print the status, headers and body. {ExitCodes.Help}")
        {
            url,
            data,
            include,
            raw,
        };
        common.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var target = TargetUrl.Parse(result.GetRequiredValue(url));
            var settings = common.Read(result);
            var body = ReadData(result.GetValue(data));
            return await RunAsync(method, target, settings, body, result.GetValue(include), result.GetValue(raw), terminal, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(string method, TargetUrl target, ConnectionSettings settings, byte[]? data, bool include, bool raw, CliTerminal terminal, CancellationToken cancellationToken)
    {
        var client = settings.CreateClient(target, terminal, reconnect: false);
        await using (client.ConfigureAwait(false))
        {
            try
            {
                var socket = await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                var request = new SailsRequest(method, target.Route) { Timeout = settings.Timeout };
                if (data is not null)
                {
                    request.Data = data;
                }

                var response = await socket.RequestAsync(request, cancellationToken).ConfigureAwait(false);
                Print(response, include || terminal.IsTerminal, terminal.IsTerminal && !raw, terminal.Out);
                return ExitCodes.ForStatus(response.StatusCode);
            }
            catch (Exception ex) when (ex is not UsageException)
            {
                return Failures.Report(ex, terminal);
            }
        }
    }

    private static void Print(SailsResponse response, bool head, bool pretty, TextWriter writer)
    {
        if (head)
        {
            var reason = Enum.IsDefined((HttpStatusCode)response.StatusCode) ? Reason((HttpStatusCode)response.StatusCode) : string.Empty;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{response.StatusCode} {reason}").TrimEnd());
            foreach (var (name, value) in response.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            {
                writer.WriteLine($"{name}: {value}");
            }

            writer.WriteLine();
        }

        if (response.TryGetBinaryBody(out var bytes))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"<binary body, {bytes.Length} bytes>"));
        }
        else if (response.HasBody)
        {
            JsonPrinter.Print(writer, response.Body.Memory.Span, pretty);
        }

        writer.Flush();
    }

    /// <summary><c>NotFound</c> as <c>Not Found</c>.</summary>
    private static string Reason(HttpStatusCode status)
    {
        var name = status.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                builder.Append(' ');
            }

            builder.Append(name[i]);
        }

        return builder.ToString();
    }

    /// <summary>--data: inline JSON or @file; must be valid JSON.</summary>
    internal static byte[]? ReadData(string? value)
    {
        if (value is null)
        {
            return null;
        }

        byte[] bytes;
        if (value.StartsWith('@'))
        {
            try
            {
                bytes = File.ReadAllBytes(value[1..]);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new UsageException($"--data: cannot read the file: {ex.Message}");
            }
        }
        else
        {
            bytes = Encoding.UTF8.GetBytes(value);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            // The position, not the text: the data may hold a credential.
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--data is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})."));
        }

        return bytes;
    }
}
