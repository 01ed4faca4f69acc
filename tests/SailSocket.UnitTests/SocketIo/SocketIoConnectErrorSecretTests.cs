using System;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <summary>
/// A CONNECT_ERROR whose message echoes the handshake's credentials (query token, headers, cookies, Basic credentials
/// decoded, the auth payload) reaches <see cref="SocketIoConnectException"/> redacted: a middleware's error is server text.
/// </summary>
public sealed class SocketIoConnectErrorSecretTests : IAsyncLifetime
{
    private const string QueryToken = "query-token-6f1c2a9b";
    private const string ApiKey = "api-key-77d0e3c4";
    private const string CookieValue = "cookie-session-91ab44ff";
    private const string JarCookie = "jar-cookie-5e5e12aa";
    private const string BasicPassword = "basic-password-3c3c";
    private const string AuthToken = "auth-token-0a0b0c0d";

    private static readonly string[] s_secrets = [QueryToken, ApiKey, CookieValue, JarCookie, "admin:" + BasicPassword, BasicPassword, AuthToken];

    private readonly WebSocketPeer _peer = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _peer.DisposeAsync();

    private SocketIoOptions Options()
    {
        var jar = new CookieContainer();
        jar.Add(new Cookie("io", JarCookie, "/", "127.0.0.1"));
        var peer = _peer.CreateOptions();
        return new SocketIoOptions
        {
            Engine = new EngineOptions
            {
                Url = peer.Url,
                WebSocketFactory = peer.WebSocketFactory,
                ConnectTimeout = TestTimeouts.Default,
                Query = [new("token", QueryToken)],
                Headers =
                [
                    new("x-api-key", ApiKey),
                    new("Cookie", "sails.sid=" + CookieValue),
                    new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + BasicPassword))),
                ],
                Cookies = jar,
            },
            Auth = Encoding.UTF8.GetBytes($$"""{"token":"{{AuthToken}}"}"""),
            ConnectTimeout = TestTimeouts.Default,
        };
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConnectError_EchoingEveryCredential_IsReportedRedacted(bool errorObject)
    {
        var echo = "refused: " + string.Join(" | ", s_secrets);
        await _peer.SendTextAsync(WebSocketPeer.OpenPacket());
        var connecting = SocketIoClient.ConnectAsync(Options());
        Assert.StartsWith("40", await _peer.ReceiveTextAsync(), StringComparison.Ordinal);

        await _peer.SendTextAsync(errorObject ? $$"""44{"message":"{{echo}}"}""" : $"44\"{echo}\"");

        var ex = await Assert.ThrowsAsync<SocketIoConnectException>(() => connecting.WaitAsync(TestTimeouts.Default));
        foreach (var text in new[] { ex.Message, ex.ServerMessage, ex.ToString() })
        {
            Assert.Contains("refused: ", text, StringComparison.Ordinal);
            foreach (var secret in s_secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }
}
