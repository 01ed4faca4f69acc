using System;
using System.Collections.Generic;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>The WebSocket handshake URL (protocol.md §2.1): scheme, path with its trailing slash, query, EIO and transport last.</summary>
public sealed class EngineUriTests
{
    [Theory]
    [InlineData("http://127.0.0.1:1337", "ws://127.0.0.1:1337/socket.io/?EIO=4&transport=websocket")]
    [InlineData("https://example.com:8443", "wss://example.com:8443/socket.io/?EIO=4&transport=websocket")]
    [InlineData("ws://127.0.0.1:1337", "ws://127.0.0.1:1337/socket.io/?EIO=4&transport=websocket")]
    [InlineData("wss://example.com", "wss://example.com/socket.io/?EIO=4&transport=websocket")]
    [InlineData("http://example.com", "ws://example.com/socket.io/?EIO=4&transport=websocket")]
    [InlineData("https://example.com", "wss://example.com/socket.io/?EIO=4&transport=websocket")]
    [InlineData("http://[::1]:3000", "ws://[::1]:3000/socket.io/?EIO=4&transport=websocket")]
    public void Build_MapsSchemeAndKeepsHostAndPort(string url, string expected)
    {
        var uri = EngineUri.BuildWebSocketUri(new EngineOptions { Url = new Uri(url) });

        Assert.Equal(expected, uri.AbsoluteUri);
    }

    [Fact]
    public void Build_HttpsDefaultPort_IsWssDefaultPort()
    {
        var uri = EngineUri.BuildWebSocketUri(new EngineOptions { Url = new Uri("https://example.com") });

        Assert.Equal("wss", uri.Scheme);
        Assert.Equal(443, uri.Port);
    }

    [Fact]
    public void Build_UrlPathAndQuery_AreIgnored()
    {
        var uri = EngineUri.BuildWebSocketUri(new EngineOptions { Url = new Uri("http://127.0.0.1:1337/app/page?x=1#frag") });

        Assert.Equal("ws://127.0.0.1:1337/socket.io/?EIO=4&transport=websocket", uri.AbsoluteUri);
    }

    [Theory]
    [InlineData("/socket.io", "/socket.io/")]
    [InlineData("/socket.io/", "/socket.io/")]
    [InlineData("/custom/path", "/custom/path/")]
    [InlineData("/custom/path/", "/custom/path/")]
    [InlineData("/", "/")]
    public void Build_PathGetsExactlyOneTrailingSlash(string path, string expected)
    {
        var uri = EngineUri.BuildWebSocketUri(new EngineOptions { Url = new Uri("http://127.0.0.1:1"), Path = path });

        Assert.Equal(expected, uri.AbsolutePath);
    }

    [Fact]
    public void Build_Query_IsEscapedAndComesBeforeEioAndTransport()
    {
        var options = new EngineOptions
        {
            Url = new Uri("http://127.0.0.1:1"),
            Query =
            [
                new("__sails_io_sdk_version", "1.2.1"),
                new("a b", "c&d=e"),
                new("unicode", "é😀"),
                new("empty", ""),
                new("plus", "1+1/2?#"),
            ],
        };

        var uri = EngineUri.BuildWebSocketUri(options);

        Assert.Equal(
            "?__sails_io_sdk_version=1.2.1&a%20b=c%26d%3De&unicode=%C3%A9%F0%9F%98%80&empty=&plus=1%2B1%2F2%3F%23&EIO=4&transport=websocket",
            uri.Query);
    }

    [Fact]
    public void Build_QueryRoundTripsThroughUnescaping()
    {
        var pairs = new List<KeyValuePair<string, string>> { new("x", "a&b=c d") };
        var uri = EngineUri.BuildWebSocketUri(new EngineOptions { Url = new Uri("http://127.0.0.1:1"), Query = pairs });

        var first = uri.Query.TrimStart('?').Split('&')[0].Split('=');

        Assert.Equal("x", Uri.UnescapeDataString(first[0]));
        Assert.Equal("a&b=c d", Uri.UnescapeDataString(first[1]));
    }

    [Fact]
    public void Build_EndsWithEioAndTransport()
    {
        var options = new EngineOptions { Url = new Uri("http://127.0.0.1:1"), Query = [new("EIO", "3")] };

        var uri = EngineUri.BuildWebSocketUri(options);

        Assert.EndsWith("&EIO=4&transport=websocket", uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => EngineUri.BuildWebSocketUri(null!));
    }
}
