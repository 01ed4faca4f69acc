using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SailSocket.IntegrationTests.Packaging;
using SailSocket.TestServers;
using Xunit.Abstractions;

namespace SailSocket.IntegrationTests.Hosting;

/// <summary>
/// Runs samples/SailSocket.HostingSample (built with the tests) as a process against the real Sails app: its /health
/// endpoint reports the socket, and a pet created on the server shows up in its log through the hosted subscription.
/// </summary>
public sealed class HostingSampleTests(ITestOutputHelper log)
{
    private const string SampleName = "SailSocket.HostingSample";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task The_sample_host_exposes_health_and_logs_the_events_of_its_subscription()
    {
        var server = await SharedSailsServer.GetAsync();
        // The sample is built beside the tests, in the same configuration (Debug or Release).
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(CommandLine.RepositoryRoot, "samples", SampleName, "bin", configuration, "net10.0", SampleName + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--Urls=http://127.0.0.1:{port}");
        start.ArgumentList.Add($"--Sails:Url={server.Url}");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        string Output() { lock (output) { return output.ToString(); } }

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            string health = "";
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!health.Contains("\"pets\":\"connected\"", StringComparison.Ordinal))
            {
                Assert.False(process.HasExited, $"the sample exited ({(process.HasExited ? process.ExitCode : 0)}):\n{Output()}");
                Assert.True(DateTime.UtcNow < deadline, $"/health never reported the socket connected; last: {health}\n{Output()}");
                try
                {
                    health = await http.GetStringAsync($"http://127.0.0.1:{port}/health", Bound.Seconds(5));
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100);
            }

            Assert.StartsWith("{\"status\":\"Healthy\"", health, StringComparison.Ordinal);
            log.WriteLine(health);

            await using var client = new SailsClient(new SailsClientOptions { Url = server.Url });
            await using var socket = await client.ConnectAsync(Bound.Seconds(15));
            var created = await socket.PostAsJsonAsync("/pet", new PetData("sample-" + Guid.NewGuid().ToString("N")[..8]), TestJson.Default.PetData, Bound.Seconds(10));
            var id = created.ReadBodyAsElement().GetProperty("id").GetInt32();
            await Bound.Until(() => Output().Contains($"socket pets: pet created id={id}", StringComparison.Ordinal), 10);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            log.WriteLine(Output());
        }
    }
}
