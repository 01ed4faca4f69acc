using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using SailSocket.Connection;
using SailSocket.Diagnostics;
using SailSocket.Internal;
using SailSocket.TestServers;
using Xunit;

namespace SailSocket.UnitTests.Sails.Diagnostics;

/// <summary>
/// The log seam's own redaction: whatever text an entry is rendered from (a server's refusal, an event name, a protocol
/// error), the socket's headers, handshake headers, query values and stored cookies are replaced before the sink sees it.
/// </summary>
public sealed class SocketDiagnosticsRedactionTests
{
    private const string Bearer = "secret-bearer-token";
    private const string ApiKey = "secret-api-key";
    private const string QueryToken = "secret-query-token";
    private const string StoredCookie = "secret-cookie-value";

    [Fact]
    public void Every_entry_is_redacted_with_the_sockets_credentials()
    {
        var log = new RecordingLogSink();
        var options = new SailsClientOptions
        {
            Url = new Uri("http://127.0.0.1:1/?token=" + QueryToken),
            InitialConnectionHeaders = [new("Authorization", "Bearer " + Bearer)],
            Headers = new Dictionary<string, string> { ["x-api-key"] = ApiKey },
            Query = [new("token", QueryToken)],
            LogSink = log,
        };
        var cookies = new CookieContainer();
        cookies.Add(new Cookie("sid", StoredCookie, "/", "127.0.0.1"));
        var diagnostics = new SocketDiagnostics(options, SocketIdentity.Resolve(options, null, "url"), cookies);
        var echo = $"refused: authorization=Bearer {Bearer} x-api-key={ApiKey} url=/socket.io/?token={QueryToken} cookie=sid={StoredCookie}";

        diagnostics.AttemptFailed(0, new InvalidOperationException(echo));
        diagnostics.GaveUp(1, new InvalidOperationException(echo));
        diagnostics.EventDropped(echo, 1, 1);
        diagnostics.HandlerFailed(echo, new InvalidOperationException("user"));
        Assert.False(diagnostics.RequestProtocolError(new SailsProtocolException(echo)));

        Assert.Equal(["ConnectFailed", "ReconnectFailed", "EventDropped", "HandlerFailed", "ProtocolError"], log.Entries.Select(e => e.EventName));
        foreach (var entry in log.Entries)
        {
            Assert.Contains(SecretRedaction.Placeholder, entry.Message, StringComparison.Ordinal);
            Assert.Equal("http://127.0.0.1:1", entry.Url);
            foreach (var secret in new[] { Bearer, ApiKey, QueryToken, StoredCookie })
            {
                Assert.DoesNotContain(secret, entry.Message, StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
