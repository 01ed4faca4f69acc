using System.Net;
using System.Text;

namespace SailSocket.IntegrationTests.Security;

/// <summary>
/// The redaction rule against the real Sails app: an error JWR whose body echoes the credentials the request carried —
/// the default request headers, the request's own CSRF token, the handshake's query token, cookie and Basic credentials
/// (decoded) — reaches <see cref="SailsRequestException"/> without them, while the response body stays as sent.
/// </summary>
public sealed class SecretEchoTests : SailsServerTestBase
{
    private const string ApiKey = "Ak7q-default-api-key";
    private const string CsrfToken = "Cs9w-request-csrf-token";
    private const string QueryToken = "Qt3e-handshake-query-token";
    private const string CookieValue = "Ck5r-handshake-cookie";
    private const string BasicPassword = "Bp1t-basic-password";

    private static readonly string[] s_secrets = [ApiKey, CsrfToken, QueryToken, CookieValue, "admin:" + BasicPassword, BasicPassword];

    protected override SailsClientOptions CreateOptions(Uri url) => new()
    {
        Url = url,
        RequestTimeout = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        Headers = new Dictionary<string, string> { ["x-api-key"] = ApiKey },
        InitialConnectionHeaders =
        [
            new("Cookie", "probe=" + CookieValue),
            new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + BasicPassword))),
        ],
        Query = [new("token", QueryToken)],
    };

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(500)]
    public async Task An_error_that_echoes_every_credential_reaches_the_exception_redacted(int status)
    {
        await using var socket = await ConnectAsync();
        var request = new SailsRequest("get", $"/echo-status/{status}");
        request.Headers["x-csrf-token"] = CsrfToken;

        var response = await socket.RequestAsync(request, Bound.Seconds(10));

        // The server did see and echo them: the redaction is what keeps them out of the message.
        Assert.Equal(status, response.StatusCode);
        var body = response.ReadBodyAsString()!;
        Assert.Contains(ApiKey, body, StringComparison.Ordinal);
        Assert.Contains(CsrfToken, body, StringComparison.Ordinal);
        Assert.Contains("admin:" + BasicPassword, body, StringComparison.Ordinal);

        var ex = Assert.Throws<SailsRequestException>(() => response.EnsureSuccessStatusCode());
        foreach (var text in new[] { ex.Message, ex.ToString(), response.ToString() })
        {
            Assert.Contains("[redacted]", text, StringComparison.Ordinal);
            foreach (var secret in s_secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);

                // Nor its start, where the message cuts the body.
                Assert.DoesNotContain(secret[..4], text, StringComparison.Ordinal);
            }
        }
    }
}
