using System.Text;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cli;

/// <summary>sailsocket listen, bench and --trace against the real Sails app.</summary>
public sealed class CliSessionTests : IAsyncLifetime
{
    private SailsServer _server = null!;

    private string Url(string route) => new Uri(_server.Url, route).ToString();

    public async Task InitializeAsync() => _server = await SharedSailsServer.GetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Listen_prints_a_room_event_pushed_by_another_socket_as_a_json_line()
    {
        var room = "cli-" + Guid.NewGuid().ToString("N");
        var (output, error) = (new StringWriter(), new StringWriter());
        var (syncOut, syncError) = (TextWriter.Synchronized(output), TextWriter.Synchronized(error));
        var listen = CliRun.StartAsync(
            ["listen", Url("/"), "chat", "--subscribe", $"POST /room/join?room={room}", "--count", "1", "--duration", "30s"],
            syncOut, syncError, CancellationToken.None);
        await Bound.Until(() => error.ToString().Contains("listening", StringComparison.Ordinal) || listen.IsCompleted, 30);
        Assert.False(listen.IsCompleted, error.ToString());

        await using var client = new SailsClient(new SailsClientOptions { Url = _server.Url });
        var socket = await client.ConnectAsync(Bound.Seconds(15));
        var noise = new SailsRequest("post", "/room/broadcast") { Data = Encoding.UTF8.GetBytes($"{{\"room\":\"{room}\",\"event\":\"other\",\"data\":\"ignored\"}}") };
        var chat = new SailsRequest("post", "/room/broadcast") { Data = Encoding.UTF8.GetBytes($"{{\"room\":\"{room}\",\"event\":\"chat\",\"data\":\"hello from the test\"}}") };
        (await socket.RequestAsync(noise, Bound.Seconds(10))).EnsureSuccessStatusCode();
        (await socket.RequestAsync(chat, Bound.Seconds(10))).EnsureSuccessStatusCode();

        var code = await listen.Within(30);
        Assert.True(code == 0, $"{code}\n{output}\n{error}");
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        using var json = System.Text.Json.JsonDocument.Parse(line);
        Assert.Equal("chat", json.RootElement.GetProperty("event").GetString());
        Assert.Equal("hello from the test", json.RootElement.GetProperty("data").GetString());
        Assert.True(json.RootElement.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Listen_stops_with_exit_0_when_cancelled_like_ctrl_c()
    {
        using var stop = new CancellationTokenSource();
        var error = new StringWriter();
        var listen = CliRun.StartAsync(["listen", Url("/")], TextWriter.Synchronized(new StringWriter()), TextWriter.Synchronized(error), stop.Token);
        await Bound.Until(() => error.ToString().Contains("listening", StringComparison.Ordinal) || listen.IsCompleted, 30);
        stop.Cancel();

        Assert.Equal(0, await listen.Within(15));
    }

    [Fact]
    public async Task Bench_prints_progress_a_histogram_and_percentiles()
    {
        var run = await CliRun.RunAsync(60, "bench", Url("/echo"), "--sockets", "2", "--concurrency", "3", "--duration", "2s");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2/2 sockets connected", run.Out, StringComparison.Ordinal);
        Assert.Contains("req/s", run.Out, StringComparison.Ordinal);
        Assert.Matches(@"GET /echo: [1-9]\d* responses, 0 errors", run.Out);
        Assert.Contains("Latency histogram:", run.Out, StringComparison.Ordinal);
        Assert.Matches(@"p50 \S+  p90 \S+  p99 \S+  max \S+", run.Out);
    }

    [Fact]
    public async Task Trace_prints_the_frames_both_ways_and_no_secret()
    {
        const string Bearer = "bearer-secret-7f3a9c";
        const string Cookie = "cookie-secret-51be02";
        const string Token = "query-secret-c0ffee";
        var run = await CliRun.RunAsync(30, "get", Url($"/echo?token={Token}"), "-H", $"Authorization: Bearer {Bearer}", "-H", "X-Api-Key: apikey-secret-99", "--cookie", $"session={Cookie}", "--trace");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d\d:\d\d:\d\d\.\d{3} << 0\{""sid"""));
        Assert.Contains(lines, l => l.EndsWith(" >> 40", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" >> 420[\"get\",", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" << 430[", StringComparison.Ordinal));
        Assert.Contains("[redacted]", run.Error, StringComparison.Ordinal);

        // Neither the trace nor anything else the tool wrote shows what was given as a credential, or the session
        // cookie the server set (which the echo route sends back in its body: the trace must hide it there too).
        foreach (var secret in new[] { Bearer, Cookie, Token, "apikey-secret-99" })
        {
            Assert.DoesNotContain(secret, run.Error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("sails.sid=s%3A", run.Error, StringComparison.Ordinal);
    }
}
