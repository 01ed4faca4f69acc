using System;
using System.CommandLine;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.CommandLine.Help;
using SailSocket.Cli.Commands;

namespace SailSocket.Cli;

/// <summary>The tool without the process: parses <c>args</c>, runs the command, returns the exit code. Tests call it in-process.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, CliTerminal terminal, CancellationToken cancellationToken = default)
    {
        var common = new CommonOptions();
        // A plain command named "sailsocket", not a RootCommand: that one takes its name from the assembly (SailSocket.Cli).
        var root = new Command("sailsocket", $"sailsocket: requests, events, load and frame traces over a Sails.js socket. {ExitCodes.Help}")
        {
            new HelpOption { Recursive = true },
            new VersionOption(),
        };
        foreach (var method in new[] { "get", "post", "put", "patch", "delete" })
        {
            root.Add(RequestCommand.Create(method, common, terminal));
        }

        root.Add(ListenCommand.Create(common, terminal));
        root.Add(BenchCommand.Create(common, terminal));

        // No response files: "@file" is --data's own syntax (curl's), not a file of more arguments.
        var result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                terminal.Error.WriteLine($"sailsocket: error: {error.Message}");
            }

            return Usage(result, terminal);
        }

        try
        {
            return await result.InvokeAsync(new InvocationConfiguration
            {
                Output = terminal.Out,
                Error = terminal.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            terminal.Error.WriteLine($"sailsocket: error: {ex.Message}");
            return Usage(result, terminal);
        }
#pragma warning disable CA1031 // The last resort: one line on stderr and exit 1, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Failures.Report(ex, terminal);
        }
    }

    private static int Usage(ParseResult result, CliTerminal terminal)
    {
        var command = result.CommandResult.Command;
        var isRoot = command.Parents.FirstOrDefault() is null;
        var name = isRoot ? "sailsocket" : $"sailsocket {command.Name}";
        var arguments = string.Join(' ', command.Arguments.Select(a => a.Arity.MinimumNumberOfValues == 0 ? $"[{a.Name}...]" : a.Name));
        var usage = isRoot ? "sailsocket get|post|put|patch|delete|listen|bench URL [options]" : $"{name} {arguments} [options]";
        terminal.Error.WriteLine($"Usage: {usage}");
        terminal.Error.WriteLine($"Run '{name} --help' for the options. {ExitCodes.Help}");
        terminal.Error.Flush();
        return ExitCodes.Usage;
    }
}
