using System.Net;
using SailSocket.IntegrationTests.Security;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Diagnostics;

/// <summary>
/// <see cref="SailsClientOptions.LogSink"/> with the real Sails app: every event a service owner needs reaches the sink,
/// and with a cookie, a bearer token, a query token and a stored cookie configured, none of them appears in any entry,
/// even when the server's refusal echoes them all.
/// </summary>
[Collection(DiagnosticsGroup.Name)]
public sealed class LogSinkTests(EchoingRefusalServer echoing) : IClassFixture<EchoingRefusalServer>
{
    private const string SessionSecret = "secret-session-cookie-value";
    private const string StoredSecret = "secret-stored-cookie-value";
    private const string BearerSecret = "secret-bearer-token-value";
    private const string QuerySecret = "secret-query-token-value";
    private const string HeaderSecret = "secret-api-key-value";

    [Fact]
    public async Task A_refused_handshake_its_retries_and_the_give_up_are_logged_without_secrets()
    {
        var log = new RecordingLogSink();
        await using var sails = new SailsClient(Options(echoing.Server.Url, log));
        sails.Cookies.Add(new Cookie("stored", StoredSecret, "/", echoing.Server.Url.Host));

        await Assert.ThrowsAsync<SailsConnectionException>(() => sails.ConnectAsync(Bound.Seconds(30)));
        await log.WaitForAsync("ReconnectFailed", TimeSpan.FromSeconds(15));

        var failed = log.Entries.Where(e => e.EventName == "ConnectFailed").ToList();
        Assert.Equal(3, failed.Count); // the first attempt and two retries
        Assert.All(failed, e =>
        {
            Assert.Equal((SailsLogLevel.Warning, 4), (e.Level, e.EventId));
            Assert.Contains("Rejected; the request was", e.Message, StringComparison.Ordinal);
            Assert.Contains(SailSocket.Internal.SecretRedaction.Placeholder, e.Message, StringComparison.Ordinal);
            Assert.Equal(typeof(SailsConnectionException).FullName, e.ErrorType);
        });
        Assert.Equal(2, log.Entries.Count(e => e.EventName == "Reconnecting" && e.EventId == 3 && e.Level == SailsLogLevel.Information));
        var gaveUp = Assert.Single(log.Entries, e => e.EventName == "ReconnectFailed");
        Assert.Equal((SailsLogLevel.Error, 5), (gaveUp.Level, gaveUp.EventId));
        AssertNoSecret(log);
    }

    [Fact]
    public async Task Connect_handler_exceptions_and_a_server_disconnect_are_logged_without_secrets()
    {
        var server = await SharedSailsServer.GetAsync();
        var log = new RecordingLogSink();
        await using var sails = new SailsClient(Options(server.Url, log));
        sails.Cookies.Add(new Cookie("stored", StoredSecret, "/", server.Url.Host));
        var socket = await sails.ConnectAsync(Bound.Seconds(15));
        using var handler = socket.On("direct", _ => throw new InvalidOperationException("handler bug"));

        Assert.Equal(200, (await socket.GetAsync("/push-to-me?token=" + QuerySecret).AsTask().Within(15)).StatusCode);
        var failedHandler = await log.WaitForAsync("HandlerFailed", TimeSpan.FromSeconds(15));
        Assert.Equal("handler bug", failedHandler.Exception?.Message);

        Assert.Equal(200, (await socket.GetAsync("/disconnect-me").AsTask().Within(15)).StatusCode);
        var disconnected = await log.WaitForAsync("Disconnected", TimeSpan.FromSeconds(15));
        Assert.Equal((SailsLogLevel.Warning, 2), (disconnected.Level, disconnected.EventId));
        Assert.EndsWith("ServerDisconnect", disconnected.Message, StringComparison.Ordinal);

        var connected = Assert.Single(log.Entries, e => e.EventName == "Connected");
        Assert.Equal((SailsLogLevel.Information, 1), (connected.Level, connected.EventId));
        Assert.Contains(socket.Id, connected.Message, StringComparison.Ordinal);
        Assert.Equal($"http://127.0.0.1:{server.Port}", connected.Url);
        AssertNoSecret(log);
    }

    private static SailsClientOptions Options(Uri url, SailsLogSink log) => new()
    {
        Url = url,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        RequestTimeout = TimeSpan.FromSeconds(10),
        InitialConnectionHeaders = [new("Cookie", "sails.sid=" + SessionSecret), new("Authorization", "Bearer " + BearerSecret)],
        Headers = new Dictionary<string, string> { ["x-api-key"] = HeaderSecret },
        Query = [new("token", QuerySecret)],
        Reconnection = new SailsReconnectionOptions { Enabled = true, Attempts = 2, Delay = TimeSpan.FromMilliseconds(50), DelayMax = TimeSpan.FromMilliseconds(100) },
        LogSink = log,
    };

    private static void AssertNoSecret(RecordingLogSink log)
    {
        Assert.NotEmpty(log.Entries);
        foreach (var entry in log.Entries)
        {
            foreach (var secret in new[] { SessionSecret, StoredSecret, BearerSecret, QuerySecret, HeaderSecret })
            {
                Assert.DoesNotContain(secret, entry.Message, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(secret, entry.Url, StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
