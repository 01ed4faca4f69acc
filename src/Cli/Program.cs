using System;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Cli;

/// <summary>The process entry point: the console, Ctrl+C, then <see cref="CliApp"/>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();

        // The first Ctrl+C stops the command (listen and bench end cleanly, exit 0); a second one ends the process.
        Console.CancelKeyPress += (_, e) =>
        {
            if (!stop.IsCancellationRequested)
            {
                e.Cancel = true;
                stop.Cancel();
            }
        };

        var terminal = new CliTerminal(Console.Out, Console.Error, IsTerminal: !Console.IsOutputRedirected);
        return await CliApp.RunAsync(args, terminal, stop.Token).ConfigureAwait(false);
    }
}
