using System;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>What a caller does with a JWR: typed and untyped body reads, the status check, the one-line summary.</summary>
public sealed class SailsResponseTests
{
    private static SailsResponse Read(string arguments, string method = "", string url = "") => JwrReaderTests.Read(arguments, method: method, url: url);

    [Fact]
    public void ReadBody_TypedThroughSourceGeneratedContext()
    {
        var response = Read("""[{"body":{"method":"GET","url":"/echo","body":{"q":1},"query":{}},"headers":{},"statusCode":200}]""");

        var echo = response.ReadBody(SailsTestJsonContext.Default.EchoBody);

        Assert.NotNull(echo);
        Assert.Equal("GET", echo.Method);
        Assert.Equal("/echo", echo.Url);
        Assert.Equal(1, Assert.Single(echo.Body!).Value);
    }

    [Fact]
    public void ReadBody_NoBody_ReturnsDefault()
    {
        var response = Read("""[{"statusCode":200}]""");

        Assert.Null(response.ReadBody(SailsTestJsonContext.Default.Problem));
        Assert.Equal(0, response.ReadBody(SailsTestJsonContext.Default.Int32));
    }

    [Fact]
    public void ReadBody_NullBody_ReturnsNull()
    {
        Assert.Null(Read("""[{"body":null,"statusCode":200}]""").ReadBody(SailsTestJsonContext.Default.Problem));
    }

    [Fact]
    public void ReadBody_ArrayAndNumber()
    {
        Assert.Equal([1, 2, 3], Read("""[{"body":[1,2,3],"statusCode":200}]""").ReadBody(SailsTestJsonContext.Default.Int32Array)!);
        Assert.Equal(42, Read("""[{"body":42,"statusCode":200}]""").ReadBody(SailsTestJsonContext.Default.Int32));
    }

    [Fact]
    public void ReadBody_WrongShape_ThrowsJsonException()
    {
        var response = Read("""[{"body":"Not Found","statusCode":404}]""");

        Assert.ThrowsAny<JsonException>(() => response.ReadBody(SailsTestJsonContext.Default.Problem));
    }

    [Fact]
    public void ReadBody_NullTypeInfo_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => Read("[{}]").ReadBody<Problem>(null!));
    }

    [Theory]
    [InlineData("\"Not Found\"", "Not Found")]
    [InlineData("\"line\\nbreak \\u00e9 \\\"q\\\"\"", "line\nbreak \u00e9 \"q\"")]
    [InlineData("\"\"", "")]
    [InlineData("{\"problem\":\"bad input\"}", "{\"problem\":\"bad input\"}")]
    [InlineData("[1, 2]", "[1, 2]")]
    [InlineData("42", "42")]
    [InlineData("null", "null")]
    public void ReadBodyAsString_StringValueOrRawJson(string body, string expected)
    {
        Assert.Equal(expected, Read($$"""[{"body":{{body}},"statusCode":200}]""").ReadBodyAsString());
    }

    [Fact]
    public void ReadBodyAsString_NoBody_ReturnsNull()
    {
        Assert.Null(Read("""[{"headers":{},"statusCode":200}]""").ReadBodyAsString());
    }

    [Fact]
    public void ReadBodyAsElement_ObjectOutlivesNothing()
    {
        var element = Read("""[{"body":{"problem":"bad input","n":[1,2]},"statusCode":400}]""").ReadBodyAsElement();

        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        Assert.Equal("bad input", element.GetProperty("problem").GetString());
        Assert.Equal(2, element.GetProperty("n").GetArrayLength());
    }

    [Theory]
    [InlineData("\"Not Found\"", JsonValueKind.String)]
    [InlineData("null", JsonValueKind.Null)]
    [InlineData("[1]", JsonValueKind.Array)]
    [InlineData("1.5", JsonValueKind.Number)]
    [InlineData("false", JsonValueKind.False)]
    public void ReadBodyAsElement_AnyJsonType(string body, JsonValueKind kind)
    {
        Assert.Equal(kind, Read($$"""[{"body":{{body}},"statusCode":200}]""").ReadBodyAsElement().ValueKind);
    }

    [Fact]
    public void ReadBodyAsElement_NoBody_IsUndefined()
    {
        Assert.Equal(JsonValueKind.Undefined, Read("""[{"statusCode":200}]""").ReadBodyAsElement().ValueKind);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(204)]
    [InlineData(299)]
    [InlineData(300)]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(304)]
    [InlineData(399)]
    public void EnsureSuccessStatusCode_2xxAnd3xx_ReturnsTheResponse(int statusCode)
    {
        var response = Read($$"""[{"body":"x","statusCode":{{statusCode}}}]""", "post", "/pet");

        Assert.Same(response, response.EnsureSuccessStatusCode());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(101)]
    [InlineData(199)]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(499)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(600)]
    public void EnsureSuccessStatusCode_OtherStatuses_ThrowWithTheResponse(int statusCode)
    {
        var response = Read($$"""[{"body":"Something","headers":{"x-a":"1"},"statusCode":{{statusCode}}}]""", "get", "/pet/1");

        var ex = Assert.Throws<SailsRequestException>(() => response.EnsureSuccessStatusCode());

        Assert.Same(response, ex.Response);
        Assert.Equal(statusCode, ex.StatusCode);
        Assert.Contains($"GET /pet/1 failed with status {statusCode}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"Something\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureSuccessStatusCode_WithoutRequest_SaysTheRequest()
    {
        var ex = Assert.Throws<SailsRequestException>(() => Read("""[{"statusCode":500}]""").EnsureSuccessStatusCode());

        Assert.StartsWith("The request failed with status 500: (no body)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("post")]
    [InlineData("put")]
    [InlineData("patch")]
    [InlineData("delete")]
    public void EnsureSuccessStatusCode_403OnUnsafeMethod_MentionsCsrfToken(string method)
    {
        var response = Read("""[{"body":"Forbidden","headers":{},"statusCode":403}]""", method, "/pet");

        var ex = Assert.Throws<SailsRequestException>(() => response.EnsureSuccessStatusCode());

        Assert.Contains("x-csrf-token", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("get")]
    [InlineData("head")]
    [InlineData("options")]
    [InlineData("")]
    public void EnsureSuccessStatusCode_403OnSafeMethod_DoesNotMentionCsrf(string method)
    {
        var response = Read("""[{"body":"Forbidden","headers":{},"statusCode":403}]""", method, method.Length == 0 ? "" : "/pet");

        var ex = Assert.Throws<SailsRequestException>(() => response.EnsureSuccessStatusCode());

        Assert.DoesNotContain("csrf", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(500)]
    public void EnsureSuccessStatusCode_OtherErrorOnPost_DoesNotMentionCsrf(int statusCode)
    {
        var response = Read($$"""[{"body":"Forbidden","statusCode":{{statusCode}}}]""", "post", "/pet");

        var ex = Assert.Throws<SailsRequestException>(() => response.EnsureSuccessStatusCode());

        Assert.DoesNotContain("csrf", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ToString_StatusAndRawBody()
    {
        Assert.Equal("404 \"Not Found\"", Read("""[{"body":"Not Found","headers":{},"statusCode":404}]""").ToString());
        Assert.Equal("200 {\"a\":1}", Read("""[{"body":{"a":1},"statusCode":200}]""").ToString());
        Assert.Equal("200 (no body)", Read("""[{"statusCode":200}]""").ToString());
    }

    [Fact]
    public void ToString_LongBody_TruncatedAt200BytesWithEllipsis()
    {
        var text = string.Concat(Enumerable.Range(0, 300).Select(i => (char)('a' + (i % 26))));
        var response = Read($$"""[{"body":"{{text}}","statusCode":500}]""");

        var summary = response.ToString();

        // The raw body starts with the opening quote, so 199 characters of the text fit.
        Assert.Equal("500 \"" + text[..199] + "…", summary);
    }

    [Fact]
    public void ToString_BodyOfExactly200Bytes_NotTruncated()
    {
        var text = new string('x', 198);
        var response = Read($$"""[{"body":"{{text}}","statusCode":200}]""");

        Assert.Equal("200 \"" + text + "\"", response.ToString());
    }

    [Fact]
    public void ToString_TruncationInsideAMultiByteCharacter_DoesNotProduceAReplacementCharacter()
    {
        // 198 ASCII characters after the opening quote, then 'é' (2 bytes): the 200-byte cut falls between its two bytes.
        var text = new string('x', 198) + "\u00e9\u00e9";
        var response = Read($$"""[{"body":"{{text}}","statusCode":500}]""");

        Assert.DoesNotContain('\uFFFD', response.ToString());
        Assert.DoesNotContain('\uFFFD', Assert.Throws<SailsRequestException>(() => response.EnsureSuccessStatusCode()).Message);
    }

    [Fact]
    public void Headers_AreCaseInsensitive()
    {
        var headers = Read("""[{"headers":{"Content-Type":"text/html"},"statusCode":200}]""").Headers;

        Assert.Equal("text/html", headers["content-type"]);
        Assert.True(headers.ContainsKey("CONTENT-TYPE"));
    }
}
