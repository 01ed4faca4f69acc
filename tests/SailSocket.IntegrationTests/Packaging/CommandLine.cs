using System.Diagnostics;
using System.Text;

namespace SailSocket.IntegrationTests.Packaging;

/// <summary>Runs the tools the packaging and Native AOT tests drive (dotnet, python3, the AOT binary), every run bounded.</summary>
internal static class CommandLine
{
    /// <summary>The repository root: the folder holding SailSocket.sln above the test binary.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Whether <paramref name="tool"/> is an executable on the PATH.</summary>
    public static bool IsOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));

    /// <summary>Runs a process to its end within <paramref name="bound"/> (killed with its children past it); returns its exit code and output.</summary>
    /// <param name="environment">Variables set for the process, over those it inherits; none by default.</param>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan bound, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's MSBuild variables would steer a nested dotnet to this run's SDK state; start it clean.
        foreach (var key in start.Environment.Keys.Where(key => key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Fail($"{fileName} {string.Join(' ', start.ArgumentList)} did not end within {bound.TotalSeconds:F0} s:\n{Snapshot()}");
        }

        process.WaitForExit(); // drains the output events
        return (process.ExitCode, Snapshot());

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        string Snapshot()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SailSocket.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"SailSocket.sln was not found above {AppContext.BaseDirectory}.");
    }
}
