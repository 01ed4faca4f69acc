using System.Security.Authentication;
using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Parity;

/// <summary>
/// TLS, through a TLS-terminating proxy with a self-signed certificate in front of the real Sails server, on both
/// WebSocket engines (the managed one's own <c>SslStream</c>, also with its reads on a thread of its own;
/// <c>ClientWebSocket</c>'s handler): validation is on by default, and a validation callback can trust a certificate it knows.
/// </summary>
public sealed class TlsTests : SailsServerTestBase
{
    [Theory]
    [InlineData(EngineWebSocketEngine.Managed, false)]
    [InlineData(EngineWebSocketEngine.Managed, true)]
    [InlineData(EngineWebSocketEngine.ClientWebSocket, false)]
    public async Task A_self_signed_certificate_is_refused_by_default(EngineWebSocketEngine webSocketEngine, bool receiveThread)
    {
        await using var proxy = new TlsTerminatingProxy(Server.Port);
        await using var client = new SailsClient(new SailsClientOptions { Url = proxy.Url, WebSocketEngine = webSocketEngine, ReceiveThread = receiveThread });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(15)));
        var engine = Assert.IsType<EngineConnectionException>(error.InnerException);
        Assert.Equal(EngineConnectionError.Unreachable, engine.Error);
        Assert.Contains(Flatten(error), e => e is AuthenticationException);
    }

    [Theory]
    [InlineData(EngineTransports.WebSocket, EngineWebSocketEngine.Managed, false)]
    [InlineData(EngineTransports.PollingThenUpgrade, EngineWebSocketEngine.Managed, false)]
    [InlineData(EngineTransports.WebSocket, EngineWebSocketEngine.Managed, true)]
    [InlineData(EngineTransports.PollingThenUpgrade, EngineWebSocketEngine.Managed, true)]
    [InlineData(EngineTransports.WebSocket, EngineWebSocketEngine.ClientWebSocket, false)]
    [InlineData(EngineTransports.PollingThenUpgrade, EngineWebSocketEngine.ClientWebSocket, false)]
    public async Task A_validation_callback_that_knows_the_certificate_connects_over_wss(EngineTransports transports, EngineWebSocketEngine webSocketEngine, bool receiveThread)
    {
        await using var proxy = new TlsTerminatingProxy(Server.Port);
        var thumbprint = proxy.Certificate.GetCertHashString();
        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = proxy.Url,
            Transports = transports,
            WebSocketEngine = webSocketEngine,
            ReceiveThread = receiveThread,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint,
        });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));

        // Several at once: on the managed engine they leave in batches through its own TLS stream.
        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => socket.GetAsync("/echo", Bound.Seconds(10)).AsTask()));
        Assert.All(replies, r => Assert.Equal(socket.Id, r.ReadBody(TestJson.Default.EchoReply)!.SocketId));
    }

    /// <summary>
    /// The Engine layer alone, without a shared HTTP handler: its callback applies to the handlers it creates for
    /// <c>ClientWebSocket</c> and for polling, not only to the managed engine; without it the certificate is refused.
    /// </summary>
    [Theory]
    [InlineData(EngineTransports.WebSocket, EngineWebSocketEngine.ClientWebSocket)]
    [InlineData(EngineTransports.Polling, EngineWebSocketEngine.ClientWebSocket)]
    [InlineData(EngineTransports.PollingThenUpgrade, EngineWebSocketEngine.ClientWebSocket)]
    [InlineData(EngineTransports.WebSocket, EngineWebSocketEngine.Managed)]
    public async Task The_engines_own_handlers_use_its_validation_callback(EngineTransports transports, EngineWebSocketEngine engine)
    {
        await using var proxy = new TlsTerminatingProxy(Server.Port);
        var thumbprint = proxy.Certificate.GetCertHashString();
        EngineOptions Options(bool trust) => new()
        {
            Url = proxy.Url,
            Transports = transports,
            WebSocketEngine = engine,
            Query = Transports.SailsSdkQuery.Pairs,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            RemoteCertificateValidationCallback = trust ? (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint : null,
        };

        var refused = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(Options(trust: false), Bound.Seconds(20)));
        Assert.Contains(Flatten(refused), e => e is AuthenticationException);

        await using var connection = await EngineConnection.ConnectAsync(Options(trust: true), Bound.Seconds(20));
        Assert.False(string.IsNullOrEmpty(connection.Handshake.SessionId));
        Assert.Equal(transports == EngineTransports.WebSocket ? "websocket" : "polling", connection.Transport);
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
