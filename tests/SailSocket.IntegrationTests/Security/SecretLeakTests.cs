using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Net;
using SailSocket.Engine;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Security;

/// <summary>A Sails server whose <c>beforeConnect</c> refuses every handshake with a message that echoes its cookie, authorization and URL.</summary>
public sealed class EchoingRefusalServer : IAsyncLifetime
{
    public SailsServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SailsServer.StartAsync(new Dictionary<string, string> { ["REJECT_CONNECT_ECHO"] = "1" }).Within(150);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Credentials never leave the process through what SailSocket reports: a refusal whose body echoes the
/// request's <c>Cookie</c>, <c>Authorization</c> and query token reaches the exception redacted, and no event of the
/// library's EventSources carries them.
/// </summary>
public sealed class SecretLeakTests(EchoingRefusalServer echoing) : IClassFixture<EchoingRefusalServer>
{
    private const string SessionSecret = "secret-session-cookie-value";
    private const string StoredSecret = "secret-stored-cookie-value";
    private const string BearerSecret = "secret-bearer-token-value";
    private const string QuerySecret = "secret-query-token-value";

    [Theory]
    [InlineData(EngineTransports.WebSocket)]
    [InlineData(EngineTransports.Polling)]
    [InlineData(EngineTransports.PollingThenUpgrade)]
    public async Task A_refusal_that_echoes_the_credentials_is_reported_redacted(EngineTransports transports)
    {
        using var events = new SecretEventListener();
        await using var sails = new SailsClient(new SailsClientOptions
        {
            Url = echoing.Server.Url,
            Transports = transports,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            InitialConnectionHeaders = [new("Cookie", "sails.sid=" + SessionSecret), new("Authorization", "Bearer " + BearerSecret)],
            Query = [new("token", QuerySecret)],
        });
        sails.Cookies.Add(new Cookie("stored", StoredSecret, "/", echoing.Server.Url.Host));

        var ex = await Assert.ThrowsAsync<SailsConnectionException>(() => sails.ConnectAsync(Bound.Seconds(20)));

        // The server's message arrives, so the redaction is what keeps the secrets out, not a missing body.
        // engine.io answers a refused WebSocket upgrade with 400, a refused polling handshake with 403.
        Assert.Equal(transports == EngineTransports.WebSocket ? 400 : 403, ex.HttpStatusCode);
        Assert.Contains("Rejected; the request was", ex.Message, StringComparison.Ordinal);
        Assert.Contains(SecretRedaction.Placeholder, ex.Message, StringComparison.Ordinal);

        // Engine reads the body itself on either transport (ClientWebSocket hides it on a WebSocket refusal).
        var refusal = Assert.IsType<EngineConnectionException>(ex.InnerException);
        Assert.Equal(EngineConnectionError.HandshakeRefused, refusal.Error);
        Assert.Contains("Rejected; the request was", refusal.HttpResponseBody, StringComparison.Ordinal);
        Assert.Contains(SecretRedaction.Placeholder, refusal.HttpResponseBody, StringComparison.Ordinal);
        AssertNoSecret(ex.ToString());
        AssertNoSecret(ex.ServerMessage ?? string.Empty);
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            AssertNoSecret(inner.Message);
            if (inner is EngineConnectionException engine)
            {
                AssertNoSecret(engine.HttpResponseBody ?? string.Empty);
            }
        }

        AssertNoSecret(events.Text);
    }

    private static void AssertNoSecret(string text)
    {
        foreach (var secret in new[] { SessionSecret, StoredSecret, BearerSecret, QuerySecret })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    /// <summary>Everything the SailSocket EventSources write while it listens, as text.</summary>
    private sealed class SecretEventListener : EventListener
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join('\n', _lines);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name.StartsWith("SailSocket", StringComparison.Ordinal))
            {
                EnableEvents(eventSource, EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData) =>
            _lines.Enqueue($"{eventData.EventSource.Name} {eventData.EventName} {eventData.Message} {string.Join(' ', eventData.Payload ?? [])}");
    }
}
