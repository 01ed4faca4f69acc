using System;
using System.Collections.Generic;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Engine.Transports;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// The redaction rule on the Engine.IO paths: a polling refusal that echoes Basic credentials decoded, or a secret that
/// crosses the cut of the error body, reaches no exception text; and the rule itself, case by case.
/// </summary>
public sealed class SecretEchoTests
{
    private const string BasicUser = "admin";
    private const string BasicPassword = "hunter2-correct-horse";
    private const string Token = "tok-0123456789abcdefghij";

    private static readonly string s_basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BasicUser}:{BasicPassword}"));

    private static EngineOptions Options(ScriptedHttpHandler server, params KeyValuePair<string, string>[] headers) => new()
    {
        Url = new Uri("http://127.0.0.1:1"),
        HttpInvoker = server.CreateInvoker(),
        Transports = EngineTransports.Polling,
        Headers = headers,
        Query = [new("token", Token)],
        ConnectTimeout = TestTimeouts.Default,
    };

    private static async Task<EngineConnectionException> RefusedAsync(string body, params KeyValuePair<string, string>[] headers)
    {
        using var server = new ScriptedHttpHandler();
        var connect = EngineConnection.ConnectAsync(Options(server, headers));
        var handshake = await server.NextGetAsync();
        handshake.Respond(body, HttpStatusCode.Forbidden);
        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => connect.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.HandshakeRefused, ex.Error);
        return ex;
    }

    private static IEnumerable<string> Texts(EngineConnectionException ex) => [ex.Message, ex.HttpResponseBody ?? string.Empty, ex.ToString()];

    [Fact]
    public async Task PollingRefusal_EchoingBasicCredentialsDecoded_ReportsThemRedacted()
    {
        var ex = await RefusedAsync($"denied for {BasicUser}:{BasicPassword} (password {BasicPassword})", new KeyValuePair<string, string>("Authorization", s_basic));

        foreach (var text in Texts(ex))
        {
            Assert.Contains("denied", text, StringComparison.Ordinal);
            Assert.DoesNotContain(BasicPassword, text, StringComparison.Ordinal);
            Assert.DoesNotContain(BasicPassword[..4], text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(23)]
    public async Task PollingRefusal_ASecretCrossingTheCut_LeaksNoneOfItsStart(int charactersBeforeTheCut)
    {
        // The body is cut at PollingTransport.MaxErrorBodyLength bytes: the token starts that many characters before the cut.
        var body = new string('x', PollingTransport.MaxErrorBodyLength - charactersBeforeTheCut) + Token + " and more";

        var ex = await RefusedAsync(body);

        foreach (var text in Texts(ex))
        {
            Assert.Contains("xxxx", text, StringComparison.Ordinal);
            Assert.DoesNotContain(Token[..4], text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rule_BasicCredentials_AreRedactedEncodedDecodedAndThePasswordAlone()
    {
        var text = SecretRedaction.Redact(
            $"a {s_basic[6..]} b {BasicUser}:{BasicPassword} c {BasicPassword} d",
            [new("Authorization", s_basic)],
            []);

        Assert.Equal($"a {SecretRedaction.Placeholder} b {SecretRedaction.Placeholder} c {SecretRedaction.Placeholder} d", text);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(12, true)]
    public void Rule_TruncatedText_EndingWithTheStartOfASecret_LosesThatStart(int start, bool redacted)
    {
        var text = "body: " + Token[..start];

        var result = SecretRedaction.Redact(text, [], [new("token", Token)], truncated: true);

        Assert.Equal(redacted ? "body: " + SecretRedaction.Placeholder : text, result);
        Assert.Equal(text, SecretRedaction.Redact(text, [], [new("token", Token)], truncated: false));
    }

    [Fact]
    public void Rule_ACutInsideAMultiByteCharacter_StillFindsTheSecretsStart()
    {
        const string Secret = "clé-secrète-du-client";
        var result = SecretRedaction.Redact("body: " + Secret[..8] + "\uFFFD", [new("x-api-key", Secret)], [], truncated: true);

        Assert.Equal("body: " + SecretRedaction.Placeholder, result);
    }

    [Fact]
    public void Rule_JsonEscapedAndCaseChangedEchoes_AreRedacted()
    {
        const string Secret = "key\"with\\quotes";
        var result = SecretRedaction.Redact("{\"k\":\"key\\\"with\\\\quotes\"} KEY\"WITH\\QUOTES", [new("x-api-key", Secret)], []);

        Assert.Equal("{\"k\":\"" + SecretRedaction.Placeholder + "\"} " + SecretRedaction.Placeholder, result);
    }
}
