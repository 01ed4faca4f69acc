using System;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// The redaction rule on the Sails paths: a JWR error body (<see cref="SailsRequestException"/>) or a CONNECT_ERROR
/// (<see cref="SailsConnectionException"/>) that echoes the credentials of the handshake, the default request headers or
/// the request's own headers reaches no exception text — not whole, not decoded, not the start of one at the cut.
/// </summary>
public sealed class SailsSecretEchoTests
{
    private const string HandshakeKey = "handshake-key-1a2b3c4d";
    private const string QueryToken = "query-token-5e6f7a8b";
    private const string JarCookie = "jar-cookie-9c0d1e2f";
    private const string AuthToken = "auth-token-3a4b5c6d";
    private const string BasicPassword = "basic-password-7e8f";
    private const string DefaultKey = "default-api-key-0f1e2d3c";
    private const string CsrfToken = "Zq9x-csrf-token-4b5a6978";

    private static readonly string[] s_secrets = [HandshakeKey, QueryToken, JarCookie, AuthToken, "admin:" + BasicPassword, BasicPassword, DefaultKey, CsrfToken];

    private static ValueTask Credentials(SailsHandshake handshake, CancellationToken cancellationToken)
    {
        handshake.Headers.Add(new("x-handshake-key", HandshakeKey));
        handshake.Headers.Add(new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + BasicPassword))));
        handshake.Query.Add(new("token", QueryToken));
        handshake.Cookies.Add(new Cookie("sails.sid", JarCookie, "/", "127.0.0.1"));
        handshake.Auth = Encoding.UTF8.GetBytes($$"""{"token":"{{AuthToken}}"}""");
        handshake.RequestHeaders["x-api-key"] = DefaultKey;
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends a POST carrying the CSRF token and answers it with <paramref name="status"/> and <paramref name="body"/>.</summary>
    private static async Task<SailsResponse> FailedRequestAsync(SailsHarness harness, int status, string body)
    {
        var (socket, peer) = await harness.ConnectAsync();
        var request = new SailsRequest("post", "/thing");
        request.Headers["x-csrf-token"] = CsrfToken;
        var sending = socket.RequestAsync(request).AsTask();
        var received = await peer.ReceiveRequestAsync();
        Assert.Equal(CsrfToken, received.Header("x-csrf-token"));
        await peer.RespondAsync(received, status, body);
        return await sending.WaitAsync(TestTimeouts.Default);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(500)]
    public async Task JwrErrorBody_EchoingEveryCredential_ReachesTheExceptionRedacted(int status)
    {
        await using var harness = new SailsHarness(configureHandshake: Credentials);
        var body = JsonSerializer.Serialize("seen: " + string.Join(" ", s_secrets));
        Assert.True(Encoding.UTF8.GetByteCount(body) < 200, "The whole echo fits in the message.");

        var response = await FailedRequestAsync(harness, status, body);

        var ex = Assert.Throws<SailsRequestException>(() => response.EnsureSuccessStatusCode());
        foreach (var text in new[] { ex.Message, ex.ToString(), response.ToString() })
        {
            Assert.Contains("seen: ", text, StringComparison.Ordinal);
            foreach (var secret in s_secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }

        // The response itself is the caller's data: its body is kept as the server sent it.
        Assert.Contains(CsrfToken, response.ReadBodyAsString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(19)]
    public async Task JwrErrorBody_ASecretCrossingTheCut_LeaksNoneOfItsStart(int charactersBeforeTheCut)
    {
        await using var harness = new SailsHarness(configureHandshake: Credentials);

        // The message shows the first 200 bytes of the body's JSON: the opening quote, the filler, then the token's start.
        var body = "\"" + new string('x', 199 - charactersBeforeTheCut) + CsrfToken + " and more\"";
        var response = await FailedRequestAsync(harness, 403, body);

        var ex = Assert.Throws<SailsRequestException>(() => response.EnsureSuccessStatusCode());
        foreach (var text in new[] { ex.Message, response.ToString() })
        {
            Assert.Contains("xxxx", text, StringComparison.Ordinal);
            Assert.DoesNotContain(CsrfToken[..4], text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ASuccessfulResponse_IsUnchanged()
    {
        await using var harness = new SailsHarness(configureHandshake: Credentials);

        var response = await FailedRequestAsync(harness, 200, JsonSerializer.Serialize("ok " + CsrfToken));

        Assert.Same(response, response.EnsureSuccessStatusCode());
        Assert.Contains(CsrfToken, response.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectError_EchoingTheHandshakeCredentials_ReachesTheExceptionRedacted()
    {
        await using var harness = new SailsHarness(configureHandshake: Credentials, autoConnect: false);
        var connecting = harness.Client.ConnectAsync();
        var peer = await harness.Server.NextConnectionAsync();
        await peer.Peer.SendOpenAsync(1_000_000_000, 1_000_000_000);
        Assert.StartsWith("40", await peer.Peer.ReceiveTextAsync(), StringComparison.Ordinal);
        var echo = "refused: " + string.Join(" ", s_secrets.Where(s => s != DefaultKey && s != CsrfToken));
        await peer.Peer.SendTextAsync($$"""44{"message":"{{echo}}"}""");

        var ex = await Assert.ThrowsAsync<SailsConnectionException>(() => connecting.WaitAsync(TestTimeouts.Default));
        Assert.IsType<SocketIoConnectException>(ex.InnerException);
        foreach (var text in new[] { ex.Message, ex.ToString() })
        {
            Assert.Contains("refused: ", text, StringComparison.Ordinal);
            foreach (var secret in s_secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }
}
