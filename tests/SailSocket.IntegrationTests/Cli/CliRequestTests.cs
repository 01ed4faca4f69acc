using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SailSocket.Cli;
using SailSocket.Engine;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cli;

/// <summary>sailsocket get/post/... against the real Sails app: output and exit codes.</summary>
public sealed class CliRequestTests : IAsyncLifetime
{
    private SailsServer _server = null!;

    private string Url(string route) => new Uri(_server.Url, route).ToString();

    public async Task InitializeAsync() => _server = await SharedSailsServer.GetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Get_prints_the_body_raw_when_piped_and_exits_0()
    {
        var run = await CliRun.RunAsync(30, "get", Url("/echo?limit=2"));

        Assert.True(run.ExitCode == 0, run.ToString());
        using var body = JsonDocument.Parse(run.Out);
        Assert.Equal("GET", body.RootElement.GetProperty("method").GetString());
        Assert.True(body.RootElement.GetProperty("isSocket").GetBoolean());
        Assert.Equal("2", body.RootElement.GetProperty("query").GetProperty("limit").GetString());
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public async Task Include_prints_the_status_line_before_the_body()
    {
        var run = await CliRun.RunAsync(30, "get", Url("/echo"), "-i");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("200 OK", run.Out, StringComparison.Ordinal);
        Assert.Contains("\"isSocket\":true", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_sends_inline_data_and_data_from_a_file()
    {
        var inline = await CliRun.RunAsync(30, "post", Url("/echo"), "--data", "{\"name\":\"Rex\",\"age\":3}");
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "{\"name\":\"Fido\"}");
            var fromFile = await CliRun.RunAsync(30, "put", Url("/echo"), "--data", "@" + file);

            Assert.True(inline.ExitCode == 0, inline.ToString());
            Assert.True(fromFile.ExitCode == 0, fromFile.ToString());
            using var first = JsonDocument.Parse(inline.Out);
            Assert.Equal("POST", first.RootElement.GetProperty("method").GetString());
            Assert.Equal("Rex", first.RootElement.GetProperty("body").GetProperty("name").GetString());
            Assert.Equal(3, first.RootElement.GetProperty("body").GetProperty("age").GetInt32());
            using var second = JsonDocument.Parse(fromFile.Out);
            Assert.Equal("PUT", second.RootElement.GetProperty("method").GetString());
            Assert.Equal("Fido", second.RootElement.GetProperty("body").GetProperty("name").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("/status/404", 3)]
    [InlineData("/bad-request", 3)]
    [InlineData("/server-error", 4)]
    [InlineData("/status/503", 4)]
    public async Task Error_statuses_have_their_exit_codes(string route, int expected)
    {
        var run = await CliRun.RunAsync(30, "get", Url(route), "-i");

        Assert.True(run.ExitCode == expected, run.ToString());
        Assert.StartsWith(route == "/server-error" ? "500" : route == "/bad-request" ? "400" : route[^3..], run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_exits_5_with_one_line_on_stderr()
    {
        var run = await CliRun.RunAsync(30, "get", $"http://127.0.0.1:{FreePort()}/echo", "--timeout", "5s");

        Assert.True(run.ExitCode == 5, run.ToString());
        Assert.StartsWith("sailsocket: error: connection failed: ", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public async Task A_response_that_never_comes_exits_6_after_the_timeout()
    {
        var started = DateTime.UtcNow;
        var run = await CliRun.RunAsync(30, "get", Url("/never"), "--timeout", "1s");

        Assert.True(run.ExitCode == 6, run.ToString());
        Assert.StartsWith("sailsocket: error: timed out: ", run.Error, StringComparison.Ordinal);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task The_transport_option_reaches_the_connection()
    {
        var run = await CliRun.RunAsync(30, "get", Url("/echo"), "--transport", "polling");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var body = JsonDocument.Parse(run.Out);
        Assert.Equal("polling", body.RootElement.GetProperty("handshakeQuery").GetProperty("transport").GetString());
    }

    [Theory]
    [InlineData("managed", EngineWebSocketEngine.Managed)]
    [InlineData("clientwebsocket", EngineWebSocketEngine.ClientWebSocket)]
    public async Task The_engine_option_picks_what_carries_the_WebSocket_and_either_answers(string engine, EngineWebSocketEngine expected)
    {
        var common = new CommonOptions();
        var command = new System.CommandLine.Command("get");
        common.AddTo(command);
        Assert.Equal(EngineWebSocketEngine.Managed, common.Read(command.Parse(Array.Empty<string>())).WebSocketEngine);
        Assert.Equal(expected, common.Read(command.Parse(["--engine", engine])).WebSocketEngine);

        var run = await CliRun.RunAsync(30, "get", Url("/echo?engine=" + engine), "--engine", engine);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var body = JsonDocument.Parse(run.Out);
        Assert.Equal(engine, body.RootElement.GetProperty("query").GetProperty("engine").GetString());
    }

    [Fact]
    public async Task The_receive_thread_option_reaches_the_client_options_and_answers()
    {
        var common = new CommonOptions();
        var command = new System.CommandLine.Command("get");
        common.AddTo(command);
        Assert.False(common.Read(command.Parse(Array.Empty<string>())).ReceiveThread);
        Assert.True(common.Read(command.Parse(["--receive-thread"])).ReceiveThread);

        var run = await CliRun.RunAsync(30, "get", Url("/echo?thread=1"), "--receive-thread");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var body = JsonDocument.Parse(run.Out);
        Assert.Equal("1", body.RootElement.GetProperty("query").GetProperty("thread").GetString());
    }

    [Theory]
    [InlineData("get", "URL", "--receive-thread", "--engine", "clientwebsocket")]
    [InlineData("get", "URL", "--engine", "curl")]
    [InlineData("get", "URL", "--data", "{not json")]
    [InlineData("get", "URL", "--bogus")]
    [InlineData("get", "URL", "--transport", "carrier-pigeon")]
    [InlineData("get", "URL", "--timeout", "-5s")]
    [InlineData("get", "URL", "-H", "no colon here")]
    [InlineData("get", "URL", "-H", "X-Name: caf\u00e9")]
    [InlineData("get", "URL", "-H", "Bad(Name): value")]
    [InlineData("get", "ftp://127.0.0.1/x")]
    [InlineData("get")]
    [InlineData("frobnicate", "URL")]
    [InlineData("bench", "URL", "--sockets", "0")]
    [InlineData("listen", "URL", "--count", "0")]
    [InlineData("listen", "URL", "--subscribe", "no-slash")]
    public async Task Bad_arguments_exit_2_with_usage(params string[] args)
    {
        var run = await CliRun.RunAsync(30, [.. args.Select(a => a == "URL" ? Url("/echo") : a)]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("sailsocket: error: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("Usage: sailsocket", run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public async Task Bad_json_is_reported_without_echoing_it()
    {
        var run = await CliRun.RunAsync(30, "post", Url("/echo"), "--data", "{\"password\":\"hunter2-secret\"");

        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("hunter2-secret", run.Error, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
