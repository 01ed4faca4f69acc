using System.IO;

namespace SailSocket.Cli;

/// <summary>Where a command writes: results to <paramref name="Out"/>, diagnostics, traces and errors to <paramref name="Error"/>.</summary>
/// <param name="Out">Standard output: bodies, events, bench results.</param>
/// <param name="Error">Standard error: errors, warnings, the frame trace, lifecycle notes.</param>
/// <param name="IsTerminal">Whether <paramref name="Out"/> is a terminal: colours, headers and a live display; raw output when not.</param>
internal sealed record CliTerminal(TextWriter Out, TextWriter Error, bool IsTerminal);
