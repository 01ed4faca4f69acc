using System;
using SailSocket.Engine;

namespace SailSocket.Cli;

/// <summary>Turns a failure into its one line on standard error and its exit code.</summary>
internal static class Failures
{
    /// <summary>Writes <c>sailsocket: error: ...</c> and returns the exit code (ExitCodes).</summary>
    /// <remarks>The library's exception messages are already redacted; the tool adds no argument value to them.</remarks>
    public static int Report(Exception error, CliTerminal terminal)
    {
        var (code, what) = error switch
        {
            SailsTimeoutException or EngineTimeoutException or TimeoutException => (ExitCodes.Timeout, "timed out"),
            SailsConnectionException or EngineConnectionException or System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException => (ExitCodes.ConnectionFailed, "connection failed"),
            OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
            _ => (ExitCodes.Failure, "failed"),
        };
        terminal.Error.WriteLine($"sailsocket: error: {what}: {OneLine(error.Message)}");
        return code;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
