using System.Text;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cli;

/// <summary>sailsocket listen across a dropped connection, and --insecure over TLS, against the real Sails app.</summary>
public sealed class CliReconnectTests : IAsyncLifetime
{
    private SailsServer _server = null!;

    public async Task InitializeAsync() => _server = await SharedSailsServer.GetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Listen_resubscribes_after_the_connection_drops_and_gets_the_next_event()
    {
        await using var proxy = FaultProxy.Start(_server.Port);
        var room = "cli-" + Guid.NewGuid().ToString("N");
        var (output, error) = (new StringWriter(), new StringWriter());
        var listen = CliRun.StartAsync(
            ["listen", proxy.Url.ToString(), "chat", "--subscribe", $"POST /room/join?room={room}", "--count", "1", "--duration", "60s"],
            TextWriter.Synchronized(output), TextWriter.Synchronized(error), CancellationToken.None);
        await Bound.Until(() => error.ToString().Contains("listening", StringComparison.Ordinal) || listen.IsCompleted, 30);
        Assert.False(listen.IsCompleted, error.ToString());

        // The server forgets the socket and its room with the connection: only a replayed join brings the event.
        Assert.True(proxy.CutAll() > 0);
        await Bound.Until(() => error.ToString().Contains($"resubscribed POST /room/join?room={room}", StringComparison.Ordinal) || listen.IsCompleted, 45);
        Assert.False(listen.IsCompleted, error.ToString());
        Assert.Contains("sailsocket: reconnecting", error.ToString(), StringComparison.Ordinal);

        await using var client = new SailsClient(new SailsClientOptions { Url = _server.Url });
        var socket = await client.ConnectAsync(Bound.Seconds(15));
        var chat = new SailsRequest("post", "/room/broadcast") { Data = Encoding.UTF8.GetBytes($"{{\"room\":\"{room}\",\"event\":\"chat\",\"data\":{{\"n\":1}}}}") };
        (await socket.RequestAsync(chat, Bound.Seconds(10))).EnsureSuccessStatusCode();

        var code = await listen.Within(30);
        Assert.True(code == 0, $"{code}\n{output}\n{error}");
        Assert.Contains("\"event\":\"chat\",\"data\":{\"n\":1}", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_self_signed_certificate_is_refused_unless_insecure_which_warns()
    {
        await using var proxy = new TlsTerminatingProxy(_server.Port);
        var url = new Uri(proxy.Url, "/echo").ToString();

        var refused = await CliRun.RunAsync(30, "get", url, "--timeout", "10s");
        var insecure = await CliRun.RunAsync(30, "get", url, "--insecure");

        Assert.True(refused.ExitCode == 5, refused.ToString());
        Assert.True(insecure.ExitCode == 0, insecure.ToString());
        Assert.Contains("\"isSocket\":true", insecure.Out, StringComparison.Ordinal);
        Assert.StartsWith("sailsocket: warning: --insecure: ", insecure.Error, StringComparison.Ordinal);
    }
}
