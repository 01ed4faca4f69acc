using System.Security.Authentication;
using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>
/// TLS on the managed WebSocket engine (its own <c>SslStream</c>), through a TLS-terminating proxy with a self-signed
/// certificate in front of the real Sails server: refused by the system's validation, accepted by a callback that knows it.
/// </summary>
public sealed class ManagedEngineTlsTests : SailsServerTestBase
{
    [Fact]
    public async Task A_self_signed_certificate_is_refused_by_default()
    {
        await using var proxy = new TlsTerminatingProxy(Server.Port);
        await using var client = new SailsClient(new SailsClientOptions { Url = proxy.Url, WebSocketEngine = EngineWebSocketEngine.Managed });

        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(15)));

        var engine = Assert.IsType<EngineConnectionException>(error.InnerException);
        Assert.Equal(EngineConnectionError.Unreachable, engine.Error);
        var chain = new List<Exception>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            chain.Add(e);
        }

        Assert.Contains(chain, e => e is AuthenticationException);
    }

    [Theory]
    [InlineData(EngineTransports.WebSocket)]
    [InlineData(EngineTransports.PollingThenUpgrade)]
    public async Task A_validation_callback_that_knows_the_certificate_connects_over_wss(EngineTransports transports)
    {
        await using var proxy = new TlsTerminatingProxy(Server.Port);
        var thumbprint = proxy.Certificate.GetCertHashString();
        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = proxy.Url,
            Transports = transports,
            WebSocketEngine = EngineWebSocketEngine.Managed,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint,
        });

        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => socket.GetAsync("/echo", Bound.Seconds(10)).AsTask()));

        Assert.All(replies, r => Assert.Equal(socket.Id, r.ReadBody(TestJson.Default.EchoReply)!.SocketId));
    }
}
