using System.Diagnostics;
using System.Runtime.InteropServices;
using SailSocket.IntegrationTests.Packaging;
using SailSocket.TestServers;
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
[Collection(PackageTests.DotnetCliCollection)]
public sealed class AotSampleTests(ITestOutputHelper log)
{
    private const string SampleName = "SailSocket.AotSample";

    /// <param name="inlineSocketCompletions">
    /// Run under the runtime's <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> (socket continuations on the socket
    /// engine's thread; docs/guide.md §8): the receive loop and the ack hand-off then run there, and nothing may wait on it.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_native_AOT_sample_makes_typed_requests_receives_typed_events_and_reconnects(bool inlineSocketCompletions)
    {
        var binary = await PublishAsync(log);
        await using var server = await SailsServer.StartAsync(cancellationToken: Bound.Seconds(60));

        var environment = new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = inlineSocketCompletions ? "1" : "0" };
        var (exitCode, output) = await CommandLine.RunAsync(binary, [server.Url.ToString()], TimeSpan.FromSeconds(90), Path.GetDirectoryName(binary)!, environment);

        log.WriteLine(output);
        Assert.True(exitCode == 0, $"the AOT sample exited with {exitCode}:\n{output}");
        // Before and after the reconnect: a typed POST answered, the model event and the room broadcast received.
        Assert.Matches(@"round 1: POST /pet -> id (\d+); event pet: created id=\1 name=aot-\w+-1", output);
        Assert.Matches(@"round 1: event chat: hello aot-\w+ #1", output);
        Assert.Matches(@"reconnected as \S+ \(was \S+\); both subscriptions replayed", output);
        Assert.Matches(@"round 2: POST /pet -> id (\d+); event pet: created id=\1 name=aot-\w+-2", output);
        Assert.Matches(@"round 2: event chat: hello aot-\w+ #2", output);
        Assert.Matches(@"resource pet: 2 pets named aot-\w+-\*", output);
        // Printed only where dynamic code is unsupported: the binary really is native, not a JIT fallback.
        Assert.Contains("PASS: typed requests, typed events and a reconnect under Native AOT", output, StringComparison.Ordinal);
    }

    /// <summary>Publishes the sample unless its binary is up to date; returns the binary's path.</summary>
    private static async Task<string> PublishAsync(ITestOutputHelper log)
    {
        var root = CommandLine.RepositoryRoot;
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
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true); // nothing of an older publish stays beside the new binary
        }

        string[] arguments =
        [
            "publish", project, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "-o", output,
            // No build server or node outlives the test.
            "--disable-build-servers", "-nodeReuse:false",
        ];
        var stopwatch = Stopwatch.StartNew();
        var (exitCode, publishOutput) = await CommandLine.RunAsync("dotnet", arguments, TimeSpan.FromMinutes(8));
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({exitCode}) after {stopwatch.Elapsed.TotalSeconds:F0} s:\n{publishOutput}");
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

        var hasClang = CommandLine.IsOnPath("clang");
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
}
