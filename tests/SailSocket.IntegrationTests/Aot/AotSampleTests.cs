using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using SailSocket.Testing;
using Xunit.Abstractions;

namespace SailSocket.IntegrationTests.Aot;

/// <summary>
/// Native AOT, proven: publishes samples/SailSocket.AotSample with <c>PublishAot</c> (the publish fails on any IL2xxx or
/// IL3xxx warning) and runs the native binary against a real Sails app: typed requests, typed events, a reconnect.
/// </summary>
/// <remarks>
/// The publish is skipped when the binary is newer than every source it is built from (the sample, src/, the build
/// props), so only the first run after a change pays for ILC. It builds the libraries in Release, as `.ci/run`'s pack
/// did just before (same properties in CI), so there it compiles only the sample and runs ILC.
/// </remarks>
public sealed class AotSampleTests(ITestOutputHelper log)
{
    private const string SampleName = "SailSocket.AotSample";

    [Fact]
    public async Task The_native_AOT_sample_makes_typed_requests_receives_typed_events_and_reconnects()
    {
        var binary = await PublishAsync(log);
        await using var server = await SailsServer.StartAsync(cancellationToken: Bound.Seconds(60));

        var (exitCode, output) = await RunAsync(binary, server.Url.ToString(), TimeSpan.FromSeconds(90), Path.GetDirectoryName(binary)!);

        log.WriteLine(output);
        Assert.True(exitCode == 0, $"the AOT sample exited with {exitCode}:\n{output}");
        // Before and after the reconnect: a typed POST answered, the model event and the room broadcast received.
        Assert.Matches(@"round 1: POST /pet -> id (\d+); event pet: created id=\1 name=aot-\w+-1", output);
        Assert.Matches(@"round 1: event chat: hello aot-\w+ #1", output);
        Assert.Matches(@"reconnected as \S+ \(was \S+\); both subscriptions replayed", output);
        Assert.Matches(@"round 2: POST /pet -> id (\d+); event pet: created id=\1 name=aot-\w+-2", output);
        Assert.Matches(@"round 2: event chat: hello aot-\w+ #2", output);
        // Printed only where dynamic code is unsupported: the binary really is native, not a JIT fallback.
        Assert.Contains("PASS: typed requests, typed events and a reconnect under Native AOT", output, StringComparison.Ordinal);
    }

    /// <summary>Publishes the sample unless its binary is up to date; returns the binary's path.</summary>
    private static async Task<string> PublishAsync(ITestOutputHelper log)
    {
        var root = FindRepositoryRoot();
        var project = Path.Combine(root, "samples", SampleName, SampleName + ".csproj");
        var output = Path.Combine(root, "artifacts", "aot-sample");
        var binary = Path.Combine(output, SampleName);

        var newestSource = NewestSourceWrite(root);
        if (File.Exists(binary) && File.GetLastWriteTimeUtc(binary) > newestSource)
        {
            log.WriteLine($"{binary} is newer than its sources: publish skipped");
            return binary;
        }

        RequireNativeToolchain();
        var arguments = string.Join(' ',
            "publish", Quote(project), "-c Release", "-r", RuntimeInformation.RuntimeIdentifier, "-o", Quote(output),
            // No build server or node outlives the test.
            "--disable-build-servers", "-nodeReuse:false");
        var stopwatch = Stopwatch.StartNew();
        var (exitCode, publishOutput) = await RunAsync("dotnet", arguments, TimeSpan.FromMinutes(8), root);
        Assert.True(exitCode == 0, $"dotnet {arguments} failed ({exitCode}) after {stopwatch.Elapsed.TotalSeconds:F0} s:\n{publishOutput}");
        Assert.True(File.Exists(binary), $"the publish made no {binary}:\n{publishOutput}");
        log.WriteLine($"published in {stopwatch.Elapsed.TotalSeconds:F0} s");
        // A rebuild that changed nothing keeps the old binary's time; touch it so the next run skips the publish.
        File.SetLastWriteTimeUtc(binary, DateTime.UtcNow);
        return binary;
    }

    /// <summary>ILC links the native binary with clang against zlib: say exactly what to install when they are missing.</summary>
    private static void RequireNativeToolchain()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var hasClang = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, "clang")));
        var hasZlib = new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib" }
            .Any(dir => File.Exists(Path.Combine(dir, "libz.so")) || File.Exists(Path.Combine(dir, "libz.a")));
        Assert.True(hasClang && hasZlib,
            $"Native AOT publishing needs clang and zlib1g-dev ({(hasClang ? "" : "clang missing; ")}{(hasZlib ? "" : "zlib1g-dev missing; ")}" +
            "install them with: apt-get update && apt-get install -y clang zlib1g-dev — .ci/run does this where they are missing).");
    }

    /// <summary>The newest write among the files the binary is built from (bin/ and obj/ left out).</summary>
    private static DateTime NewestSourceWrite(string root)
    {
        var files = new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" }
            .Select(name => Path.Combine(root, name))
            .Where(File.Exists)
            .Concat(SourceFiles(Path.Combine(root, "samples", SampleName)))
            .Concat(SourceFiles(Path.Combine(root, "src")));
        return files.Max(File.GetLastWriteTimeUtc);
    }

    private static IEnumerable<string> SourceFiles(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            yield return file;
        }

        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            var name = Path.GetFileName(child);
            if (name is not ("bin" or "obj"))
            {
                foreach (var file in SourceFiles(child))
                {
                    yield return file;
                }
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

    private static string Quote(string path) => $"\"{path}\"";

    /// <summary>Runs a process to its end within <paramref name="bound"/> (killed with its children past it); returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string arguments, TimeSpan bound, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // The test host's MSBuild variables would steer a nested dotnet to this run's SDK state; start it clean.
        foreach (var key in start.Environment.Keys.Where(key => key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
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
            Assert.Fail($"{fileName} {arguments} did not end within {bound.TotalSeconds:F0} s:\n{Snapshot()}");
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
}
