using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SailSocket.IntegrationTests.Packaging;

/// <summary>
/// The four packages (the three libraries and the hosting package), as `dotnet pack` makes them from this checkout: eng/check-packages.py (the check `.ci/run`
/// runs on the Release packages) accepts them and rejects a broken one, and every source file in their PDBs is
/// reachable through SourceLink. The PDBs may come from a build before the last commit (`--any-commit`): `.ci/run`
/// checks that the commits agree on the packages it builds itself.
/// </summary>
[Collection(DotnetCliCollection)]
public sealed class PackageTests(PackageTests.PackedLibraries packed) : IClassFixture<PackageTests.PackedLibraries>, IDisposable
{
    /// <summary>Tests that run dotnet on the repository's projects: one at a time, so their MSBuild runs never overlap.</summary>
    public const string DotnetCliCollection = "dotnet CLI";

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly string[] s_projects = ["src/Engine/SailSocket.Engine.csproj", "src/SocketIo/SailSocket.SocketIo.csproj", "src/Sails/SailSocket.csproj", "src/Hosting/SailSocket.Extensions.Hosting.csproj", "src/Testing/SailSocket.Testing.csproj"];

    private static readonly Guid s_sourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private readonly string _broken = Path.Combine(Path.GetTempPath(), "sailsocket-packages-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_broken))
        {
            Directory.Delete(_broken, recursive: true);
        }
    }

    [Fact]
    public async Task The_packages_pass_the_package_check_and_a_broken_one_fails_it()
    {
        Assert.True(CommandLine.IsOnPath("python3"), "eng/check-packages.py needs python3: apt-get install -y python3");

        var (exitCode, output) = await CommandLine.RunAsync("python3", ["eng/check-packages.py", packed.Folder, "--any-commit"], TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, output);
        Assert.Contains("check-packages: OK SailSocket.Engine 0.", output, StringComparison.Ordinal);

        // The same packages with a readme dropped and a third-party dependency added: the check must say both.
        Directory.CreateDirectory(_broken);
        foreach (var file in Directory.GetFiles(packed.Folder))
        {
            File.Copy(file, Path.Combine(_broken, Path.GetFileName(file)));
        }

        var nupkg = Directory.GetFiles(_broken, "SailSocket.0.*.nupkg").Single();
        using (var zip = ZipFile.Open(nupkg, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("SailSocket.nuspec")!;
            string nuspec;
            using (var reader = new StreamReader(entry.Open()))
            {
                nuspec = await reader.ReadToEndAsync();
            }

            entry.Delete();
            nuspec = Regex.Replace(nuspec, "<readme>[^<]*</readme>", string.Empty);
            nuspec = nuspec.Replace("<group targetFramework=\"net8.0\">", "<group targetFramework=\"net8.0\"><dependency id=\"Newtonsoft.Json\" version=\"13.0.3\" /><dependency id=\"Microsoft.Extensions.Logging.Abstractions\" version=\"10.0.0\" />", StringComparison.Ordinal);
            using var writer = new StreamWriter(zip.CreateEntry("SailSocket.nuspec").Open(), new UTF8Encoding(false));
            await writer.WriteAsync(nuspec);
        }

        (exitCode, output) = await CommandLine.RunAsync("python3", ["eng/check-packages.py", _broken, "--any-commit"], TimeSpan.FromSeconds(60));
        Assert.Equal(1, exitCode);
        Assert.Contains($"FAIL SailSocket {GetVersion(nupkg)}: no readme", output, StringComparison.Ordinal);
        Assert.Contains("(net8.0): depends on Newtonsoft.Json 13.0.3, outside our packages", output, StringComparison.Ordinal);
        // Microsoft.Extensions.* is allowed in the hosting package only: the core package stays BCL-only.
        Assert.Contains("(net8.0): depends on Microsoft.Extensions.Logging.Abstractions 10.0.0, outside our packages", output, StringComparison.Ordinal);
        Assert.DoesNotContain("SailSocket.Engine", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_source_file_in_the_symbols_maps_to_the_public_repository_at_a_commit()
    {
        var symbolPackages = Directory.GetFiles(packed.Folder, "*.snupkg");
        Assert.Equal(5, symbolPackages.Length);
        foreach (var symbolPackage in symbolPackages)
        {
            using var zip = ZipFile.OpenRead(symbolPackage);
            var pdbs = zip.Entries.Where(e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, pdbs.Count); // net8.0 and net10.0
            foreach (var pdb in pdbs)
            {
                using var copy = new MemoryStream();
                using (var stream = pdb.Open())
                {
                    await stream.CopyToAsync(copy);
                }

                copy.Position = 0;
                using var provider = MetadataReaderProvider.FromPortablePdbStream(copy);
                var reader = provider.GetMetadataReader();
                var where = $"{Path.GetFileName(symbolPackage)}/{pdb.FullName}";
                var sourceLink = reader.CustomDebugInformation
                    .Select(reader.GetCustomDebugInformation)
                    .Where(info => reader.GetGuid(info.Kind) == s_sourceLinkKind)
                    .Select(info => JsonDocument.Parse(reader.GetBlobBytes(info.Value)).RootElement.GetProperty("documents").EnumerateObject()
                        .ToDictionary(p => p.Name.TrimEnd('*'), p => p.Value.GetString()!))
                    .SingleOrDefault();
                Assert.True(sourceLink is { Count: > 0 }, $"{where}: no SourceLink record");
                foreach (var url in sourceLink.Values)
                {
                    Assert.Matches("^https://raw\\.githubusercontent\\.com/sailsocket/sailsocket/[0-9a-f]{40}/\\*$", url);
                }

                var documents = reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)).ToList();
                Assert.Contains(documents, d => d.Replace('\\', '/').Contains("/src/", StringComparison.Ordinal));
                var unmapped = documents.Where(d => !sourceLink.Keys.Any(prefix => d.StartsWith(prefix, StringComparison.Ordinal))).ToList();
                Assert.True(unmapped.Count == 0, $"{where}: not under a SourceLink root: {string.Join(", ", unmapped.Take(5))}");
            }
        }
    }

    private static string GetVersion(string nupkg) => Regex.Match(Path.GetFileName(nupkg), @"^SailSocket\.(.+)\.nupkg$").Groups[1].Value;

    /// <summary>The five packages packed once for the class, built from this checkout into a temporary folder.</summary>
    public sealed class PackedLibraries : IAsyncLifetime
    {
        /// <summary>The folder holding the .nupkg and .snupkg files.</summary>
        public string Folder { get; } = Path.Combine(Path.GetTempPath(), "sailsocket-packages-" + Guid.NewGuid().ToString("N"));

        /// <summary>Where the packages are built: a folder of its own under the checkout's git-ignored artifacts/.</summary>
        private string BuildFolder { get; } = Path.Combine(CommandLine.RepositoryRoot, "artifacts", "test-build-" + Guid.NewGuid().ToString("N"));

        public async Task InitializeAsync()
        {
            foreach (var project in s_projects)
            {
                // Built again into a folder of its own (--artifacts-path): `dotnet test SailSocket.sln` builds the solution
                // while the first test projects already run, so this run's own net8.0 outputs may not exist yet. The folder
                // is inside the (git-ignored) artifacts/ of the checkout, so generated sources stay under the SourceLink root.
                var (exitCode, output) = await CommandLine.RunAsync(
                    "dotnet",
                    ["pack", project, "-c", Configuration, "--artifacts-path", BuildFolder, "-o", Folder, "--disable-build-servers", "-nodeReuse:false"],
                    TimeSpan.FromMinutes(4));
                Assert.True(exitCode == 0, $"dotnet pack {project} failed ({exitCode}):\n{output}");
            }
        }

        public Task DisposeAsync()
        {
            foreach (var folder in new[] { Folder, BuildFolder })
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }

            return Task.CompletedTask;
        }
    }
}
