using SailSocket.IntegrationTests.Packaging;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cli;

/// <summary>The tool as a user runs it: a process (the real Main, console and exit code), against the real Sails app.</summary>
public sealed class CliProcessTests : IAsyncLifetime
{
    private static readonly string s_tool = Path.Combine(AppContext.BaseDirectory, "SailSocket.Cli.dll");
    private SailsServer _server = null!;

    public async Task InitializeAsync() => _server = await SharedSailsServer.GetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Piped_get_prints_the_raw_body_and_a_404_exits_3()
    {
        var ok = await CommandLine.RunAsync("dotnet", [s_tool, "get", new Uri(_server.Url, "/echo?limit=2").ToString()], TimeSpan.FromSeconds(60));
        var missing = await CommandLine.RunAsync("dotnet", [s_tool, "get", new Uri(_server.Url, "/status/404").ToString()], TimeSpan.FromSeconds(60));

        Assert.True(ok.ExitCode == 0, ok.Output);
        Assert.StartsWith("{\"method\":\"GET\"", ok.Output.TrimStart(), StringComparison.Ordinal);
        Assert.True(missing.ExitCode == 3, missing.Output);
        Assert.Contains("{\"youAskedFor\":404}", missing.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_commands_and_exit_codes_and_bad_arguments_exit_2()
    {
        var help = await CommandLine.RunAsync("dotnet", [s_tool, "--help"], TimeSpan.FromSeconds(60));
        var bad = await CommandLine.RunAsync("dotnet", [s_tool, "get", "not a url"], TimeSpan.FromSeconds(60));

        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("sailsocket [command] [options]", help.Output, StringComparison.Ordinal);
        foreach (var command in new[] { "get", "post", "put", "patch", "delete", "listen", "bench", "Exit codes:" })
        {
            Assert.Contains(command, help.Output, StringComparison.Ordinal);
        }

        Assert.True(bad.ExitCode == 2, bad.Output);
        Assert.Contains("Usage: sailsocket get URL [options]", bad.Output, StringComparison.Ordinal);
    }
}
