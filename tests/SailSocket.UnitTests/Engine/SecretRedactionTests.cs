using System;
using System.Collections.Generic;
using SailSocket.Engine;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary><see cref="SecretRedaction"/>: what a server's echo of the request loses before it reaches an exception.</summary>
public sealed class SecretRedactionTests
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> s_headers =
    [
        new("Origin", "http://app.example.com"),
        new("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig"),
        new("x-api-key", "k-123456"),
        new("Cookie", "sails.sid=s%3AsessionSecret.sig; lb=node1-sticky"),
        new("nosession", "true"),
    ];

    private static readonly IReadOnlyList<KeyValuePair<string, string>> s_query =
    [
        new("token", "query-token-value"),
        new("__sails_io_sdk_version", "1.2.1"),
        new("EIO", "4"),
        new("transport", "polling"),
    ];

    [Fact]
    public void EveryCredential_IsReplaced_WhereverItIsEchoed()
    {
        const string body = """
            {"error":"forbidden","headers":{"authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig","x-api-key":"k-123456",
            "cookie":"sails.sid=s%3AsessionSecret.sig; lb=node1-sticky"},"url":"/socket.io/?token=query-token-value&EIO=4",
            "session":"s:sessionSecret.sig","sticky":"node1-sticky","jwt":"eyJhbGciOiJIUzI1NiJ9.payload.sig"}
            """;
        var redacted = SecretRedaction.Redact(body, s_headers, s_query);

        foreach (var secret in new[] { "eyJhbGciOiJIUzI1NiJ9", "k-123456", "sessionSecret", "node1-sticky", "query-token-value" })
        {
            Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        }

        Assert.Contains(SecretRedaction.Placeholder, redacted, StringComparison.Ordinal);
        Assert.Contains("\"error\":\"forbidden\"", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void PublicValues_AreKept()
    {
        const string body = "origin http://app.example.com, sdk 1.2.1, transport polling, nosession true";
        Assert.Equal(body, SecretRedaction.Redact(body, s_headers, s_query));
    }

    [Fact]
    public void UrlEncodedAndDecodedEchoes_AreReplacedToo()
    {
        IReadOnlyList<KeyValuePair<string, string>> headers = [new("Cookie", "sid=a b+c/d")];
        var redacted = SecretRedaction.Redact("raw a b+c/d encoded a%20b%2Bc%2Fd", headers, []);
        Assert.Equal("raw [redacted] encoded [redacted]", redacted);
    }

    [Fact]
    public void ShortValues_AreLeftAlone()
    {
        IReadOnlyList<KeyValuePair<string, string>> headers = [new("Cookie", "a=1; b=xyz")];
        Assert.Equal("1 xyz", SecretRedaction.Redact("1 xyz", headers, []));
    }

    [Fact]
    public void TextWithoutSecrets_IsReturnedAsIs()
    {
        const string body = "{\"code\":3,\"message\":\"Bad request\"}";
        Assert.Same(body, SecretRedaction.Redact(body, s_headers, s_query));
    }

    [Fact]
    public void NullArguments_AreRefused()
    {
        Assert.Throws<ArgumentNullException>(() => SecretRedaction.Redact(null!, [], []));
        Assert.Throws<ArgumentNullException>(() => SecretRedaction.Redact("x", null!, []));
        Assert.Throws<ArgumentNullException>(() => SecretRedaction.Redact("x", [], null!));
    }
}
