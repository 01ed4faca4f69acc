using SailSocket.Cli;

namespace SailSocket.IntegrationTests.Cli;

/// <summary>One in-process run of the tool: its exit code and what it wrote on each stream.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Runs <c>sailsocket args</c> as if piped (no terminal), bounded by <paramref name="seconds"/>.</summary>
    public static async Task<CliRun> RunAsync(double seconds, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await StartAsync(args, TextWriter.Synchronized(output), TextWriter.Synchronized(error), CancellationToken.None).Within(seconds);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Starts a run on the given writers (for a listen that a test feeds while it runs).</summary>
    public static Task<int> StartAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        Task.Run(() => CliApp.RunAsync(args, new CliTerminal(output, error, IsTerminal: false), cancellationToken));

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
