using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using SailSocket.Engine;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// The cookie rules of <see cref="EngineOptions.Cookies"/>: what a request sends (explicit Cookie headers win, stored
/// cookies follow), what is stored, and that a cookie never goes to another host or carries a header-splitting character.
/// </summary>
public sealed class EngineCookiesTests
{
    private static readonly Uri s_server = new("http://127.0.0.1:1337/socket.io/");

    private static IReadOnlyList<KeyValuePair<string, string>> NoHeaders => [];

    private static CookieContainer Jar(Uri uri, params string[] setCookies)
    {
        var jar = new CookieContainer();
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("Set-Cookie", setCookies);
        EngineCookies.Store(jar, uri, response);
        return jar;
    }

    [Fact]
    public void NoJarAndNoHeader_SendsNothing()
    {
        Assert.Null(EngineCookies.BuildHeader(NoHeaders, null, s_server));
        Assert.Null(EngineCookies.BuildHeader(NoHeaders, new CookieContainer(), s_server));
    }

    [Fact]
    public void StoredCookies_AreSent_ForTheSameHost()
    {
        var jar = Jar(s_server, "lb=node1; Path=/", "sails.sid=s%3Aabc; Path=/; HttpOnly");
        var header = EngineCookies.BuildHeader(NoHeaders, jar, new Uri("http://127.0.0.1:1337/socket.io/?EIO=4&transport=polling&sid=x"));
        Assert.Equal(["lb=node1", "sails.sid=s%3Aabc"], Sorted(header));
    }

    [Fact]
    public void ExplicitCookieHeaders_ComeFirst_AndWinOverStoredCookiesOfTheSameName()
    {
        var jar = Jar(s_server, "lb=stored; Path=/", "other=2; Path=/");
        IReadOnlyList<KeyValuePair<string, string>> headers = [new("Origin", "http://a"), new("Cookie", "lb=mine; x=1"), new("cookie", "y=3")];
        Assert.Equal("lb=mine; x=1; y=3; other=2", EngineCookies.BuildHeader(headers, jar, s_server));
    }

    [Fact]
    public void CookieNames_AreCaseSensitive()
    {
        var jar = Jar(s_server, "LB=stored; Path=/");
        Assert.Equal("lb=mine; LB=stored", EngineCookies.BuildHeader([new("Cookie", "lb=mine")], jar, s_server));
    }

    [Fact]
    public void ExplicitCookie_IsSent_WithoutAJar() =>
        Assert.Equal("a=1; b=2", EngineCookies.BuildHeader([new("Cookie", "a=1"), new("Cookie", "b=2")], null, s_server));

    [Theory]
    [InlineData("http://localhost:1337/socket.io/")]
    [InlineData("http://127.0.0.2:1337/socket.io/")]
    [InlineData("http://example.com/socket.io/")]
    public void StoredCookies_NeverGoToAnotherHost(string other)
    {
        var jar = Jar(s_server, "lb=node1; Path=/");
        Assert.Null(EngineCookies.BuildHeader(NoHeaders, jar, new Uri(other)));
    }

    [Fact]
    public void Ports_DoNotIsolateCookies_AsRfc6265Says()
    {
        // RFC 6265 §8.5 "Cookies do not provide isolation by port"; CookieContainer follows it, and so does a browser.
        var jar = Jar(s_server, "lb=node1; Path=/");
        Assert.Equal("lb=node1", EngineCookies.BuildHeader(NoHeaders, jar, new Uri("http://127.0.0.1:4242/socket.io/")));
    }

    [Fact]
    public void WebSocketUrls_MatchLikeTheirHttpForm_AndSecureCookiesNeedWss()
    {
        var secure = new Uri("https://127.0.0.1:1337/socket.io/");
        var jar = Jar(secure, "s=1; Path=/; Secure", "p=2; Path=/");
        Assert.Equal("p=2", EngineCookies.BuildHeader(NoHeaders, jar, new Uri("ws://127.0.0.1:1337/socket.io/?EIO=4&transport=websocket")));
        Assert.Equal(["p=2", "s=1"], Sorted(EngineCookies.BuildHeader(NoHeaders, jar, new Uri("wss://127.0.0.1:1337/socket.io/?EIO=4&transport=websocket"))));
    }

    [Fact]
    public void CookiesWithAPath_GoOnlyUnderIt()
    {
        var jar = Jar(s_server, "io=1; Path=/socket.io", "app=2; Path=/app");
        Assert.Equal("io=1", EngineCookies.BuildHeader(NoHeaders, jar, s_server));
    }

    [Fact]
    public void SetCookieForAnotherDomain_IsNotStored()
    {
        var jar = Jar(s_server, "evil=1; Domain=example.com; Path=/", "ok=1; Path=/");
        Assert.Equal(1, jar.Count);
        Assert.Null(EngineCookies.BuildHeader(NoHeaders, jar, new Uri("http://example.com/")));
    }

    [Theory]
    [InlineData("a=\u00e9t\u00e9; Path=/")]
    [InlineData("a=1\u0001; Path=/")]
    [InlineData("a=1; Path=/\u0000")]
    [InlineData("\u00e9=1; Path=/")]
    public void SetCookieWithControlOrNonAsciiCharacters_IsNotStored(string setCookie)
    {
        var jar = Jar(s_server, setCookie, "ok=1; Path=/");
        Assert.Equal("ok=1", EngineCookies.BuildHeader(NoHeaders, jar, s_server));
    }

    [Fact]
    public void MalformedSetCookie_IsIgnored_AndTheOthersAreKept()
    {
        var jar = Jar(s_server, "=nameless", "ok=1; Path=/");
        Assert.Equal("ok=1", EngineCookies.BuildHeader(NoHeaders, jar, s_server));
    }

    [Fact]
    public void StoredCookieThatCannotTravelInAHeader_IsNotSent()
    {
        // The user can put anything into their own container; CookieContainer accepts non-ASCII values.
        var jar = new CookieContainer();
        jar.Add(new Cookie("bad", "caf\u00e9", "/", "127.0.0.1"));
        jar.Add(new Cookie("ok", "1", "/", "127.0.0.1"));
        Assert.Equal("ok=1", EngineCookies.BuildHeader(NoHeaders, jar, s_server));
    }

    [Fact]
    public void ExpiredCookies_AreNotSent()
    {
        var jar = Jar(s_server, "gone=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT", "ok=1; Path=/");
        Assert.Equal("ok=1", EngineCookies.BuildHeader(NoHeaders, jar, s_server));
    }

    [Fact]
    public void ManyCookiesFromOneServer_AreBoundedByTheContainer()
    {
        var jar = new CookieContainer();
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        for (var i = 0; i < 1000; i++)
        {
            response.Headers.TryAddWithoutValidation("Set-Cookie", $"c{i}=v; Path=/");
        }

        EngineCookies.Store(jar, s_server, response);
        Assert.True(jar.Count <= jar.PerDomainCapacity, $"{jar.Count} cookies stored for one host");
    }

    [Fact]
    public void NullArguments_AreRefused()
    {
        Assert.Throws<ArgumentNullException>(() => EngineCookies.BuildHeader(null!, null, s_server));
        Assert.Throws<ArgumentNullException>(() => EngineCookies.BuildHeader(NoHeaders, null, null!));
        using var response = new HttpResponseMessage();
        Assert.Throws<ArgumentNullException>(() => EngineCookies.Store(new CookieContainer(), s_server, (HttpResponseMessage)null!));
        Assert.Throws<ArgumentNullException>(() => EngineCookies.Store(new CookieContainer(), null!, response));
    }

    private static string[] Sorted(string? header)
    {
        Assert.NotNull(header);
        var pairs = header.Split("; ");
        Array.Sort(pairs, StringComparer.Ordinal);
        return pairs;
    }
}
