using System;
using System.Collections.Generic;
using System.Text;
using SailSocket.Protocol;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// The JSON WebSocket Response (protocol.md §4.4, §5.5): every captured shape, read from the ack arguments (the JSON array
/// after the ack id), right-sized and embedded between garbage bytes (the body must slice the arguments, not the buffer).
/// </summary>
public sealed class JwrReaderTests
{
    private static readonly IReadOnlyList<ReadOnlyMemory<byte>> s_noAttachments = [];

    /// <summary>Reads <paramref name="arguments"/> both right-sized and as a slice of a larger buffer; both must agree.</summary>
    internal static SailsResponse Read(string arguments, IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null, string method = "", string url = "")
    {
        var bytes = Encoding.UTF8.GetBytes(arguments);
        var rightSized = JwrReader.Read(bytes, attachments ?? s_noAttachments, method, url);

        var framed = Encoding.UTF8.GetBytes("431[" + arguments + "]],{\"statusCode\":500}");
        var embedded = JwrReader.Read(framed.AsMemory(4, bytes.Length), attachments ?? s_noAttachments, method, url);
        Assert.Equal(rightSized.StatusCode, embedded.StatusCode);
        Assert.Equal(rightSized.Body.ToArray(), embedded.Body.ToArray());
        Assert.Equal(rightSized.Headers, embedded.Headers);
        return rightSized;
    }

    private static string BodyText(SailsResponse response) => Encoding.UTF8.GetString(response.Body.Span);

    [Fact]
    public void Read_ObjectBody_KeepsTheRawJson()
    {
        var response = Read("""[{"body":{"method":"GET","url":"/echo","body":{"q":1},"query":{}},"headers":{},"statusCode":200}]""", method: "get", url: "/echo");

        Assert.Equal(200, response.StatusCode);
        Assert.True(response.IsSuccessStatusCode);
        Assert.True(response.HasBody);
        Assert.Equal("""{"method":"GET","url":"/echo","body":{"q":1},"query":{}}""", BodyText(response));
        Assert.Empty(response.Headers);
        Assert.Empty(response.Attachments);
        Assert.Equal("get", response.RequestMethod);
        Assert.Equal("/echo", response.RequestUrl);
    }

    [Fact]
    public void Read_StringBody_NotFound()
    {
        var response = Read("""[{"body":"Not Found","headers":{},"statusCode":404}]""");

        Assert.Equal(404, response.StatusCode);
        Assert.False(response.IsSuccessStatusCode);
        Assert.Equal("\"Not Found\"", BodyText(response));
        Assert.Equal("Not Found", response.ReadBodyAsString());
    }

    [Fact]
    public void Read_PlainTextBody()
    {
        var response = Read("""[{"body":"plain text body","headers":{},"statusCode":200}]""");

        Assert.Equal("plain text body", response.ReadBodyAsString());
    }

    [Fact]
    public void Read_DoubleEncodedStringBody_KeepsTheJsonTextInsideTheString()
    {
        // res.json('a string'): the body is the JSON text "a string", itself sent as a string.
        var response = Read("""[{"body":"\"a string\"","headers":{"content-type":"application/json"},"statusCode":200}]""");

        Assert.Equal("\"\\\"a string\\\"\"", BodyText(response));
        Assert.Equal("\"a string\"", response.ReadBodyAsString());
        Assert.Equal("\"a string\"", response.ReadBody(SailsTestJsonContext.Default.String));
        Assert.Equal("application/json", response.Headers["content-type"]);
    }

    [Fact]
    public void Read_OkBody()
    {
        var response = Read("""[{"body":"OK","headers":{},"statusCode":200}]""");

        Assert.Equal("OK", response.ReadBodyAsString());
    }

    [Theory]
    [InlineData(201)]
    [InlineData(204)]
    [InlineData(401)]
    public void Read_OtherStatusCodes_KeepTheBody(int statusCode)
    {
        // res.status(204).json(x): Sails applies no HTTP semantics, the body is still there.
        var response = Read($$"""[{"body":{"id":7},"headers":{},"statusCode":{{statusCode}}}]""");

        Assert.Equal(statusCode, response.StatusCode);
        Assert.Equal("""{"id":7}""", BodyText(response));
    }

    [Fact]
    public void Read_BadRequestWithObjectBody()
    {
        var response = Read("""[{"body":{"problem":"bad input"},"headers":{},"statusCode":400}]""");

        Assert.Equal(400, response.StatusCode);
        Assert.Equal(new Problem("bad input"), response.ReadBody(SailsTestJsonContext.Default.Problem));
    }

    [Fact]
    public void Read_OptionsWithoutBodyAndNumericHeader()
    {
        var response = Read("""[{"headers":{"allow":"DELETE, GET, HEAD, PATCH, POST, PUT","content-length":35,"content-type":"text/plain","x-content-type-options":"nosniff"},"statusCode":200}]""", method: "options", url: "/echo");

        Assert.Equal(200, response.StatusCode);
        Assert.False(response.HasBody);
        Assert.True(response.Body.IsEmpty);
        Assert.Equal("35", response.Headers["content-length"]);
        Assert.Equal("DELETE, GET, HEAD, PATCH, POST, PUT", response.Headers["allow"]);
        Assert.Equal("text/plain", response.Headers["Content-Type"]);
        Assert.Equal("nosniff", response.Headers["x-content-type-options"]);
        Assert.Equal(4, response.Headers.Count);
    }

    [Fact]
    public void Read_NonStringHeaderValues_KeepTheirJsonText()
    {
        var response = Read("""[{"headers":{"a":-1.5e3,"b":true,"c":null,"d":[1,"x"],"e":{"f":1}},"statusCode":200}]""");

        Assert.Equal("-1.5e3", response.Headers["a"]);
        Assert.Equal("true", response.Headers["b"]);
        Assert.Equal("null", response.Headers["c"]);
        Assert.Equal("""[1,"x"]""", response.Headers["d"]);
        Assert.Equal("""{"f":1}""", response.Headers["e"]);
    }

    [Fact]
    public void Read_RedirectWithLocationTwiceInTwoCases_OneCaseInsensitiveHeader()
    {
        var response = Read("""[{"body":"Redirecting to /echo","headers":{"content-type":"text/html","Location":"/echo","location":"/echo"},"statusCode":302}]""");

        Assert.Equal(302, response.StatusCode);
        Assert.False(response.IsSuccessStatusCode);
        Assert.Equal(2, response.Headers.Count);
        Assert.Equal("/echo", response.Headers["Location"]);
        Assert.Equal("/echo", response.Headers["LOCATION"]);
        Assert.Equal("Redirecting to /echo", response.ReadBodyAsString());
        Assert.Same(response, response.EnsureSuccessStatusCode());
    }

    [Fact]
    public void Read_DuplicateHeaderInAnotherCase_LastOneWins()
    {
        var response = Read("""[{"headers":{"X-Id":"first","x-id":"second"},"statusCode":200}]""");

        Assert.Equal("second", Assert.Single(response.Headers).Value);
    }

    [Fact]
    public void Read_SingleBinaryBody_TryGetBinaryBodyReturnsTheAttachment()
    {
        // 461-<id>[{"body":{"_placeholder":true,"num":0},…}] + one binary attachment (res.send(Buffer)).
        byte[] bytes = [0x00, 0x01, 0xFF, 0x7B];
        var response = Read("""[{"body":{"_placeholder":true,"num":0},"headers":{},"statusCode":200}]""", [bytes]);

        Assert.True(response.TryGetBinaryBody(out var body));
        Assert.Equal(bytes, body.ToArray());
        Assert.Single(response.Attachments);
    }

    [Fact]
    public void Read_PlaceholderPropertiesInAnotherOrder_StillBinary()
    {
        byte[] first = [1];
        byte[] second = [2, 2];
        var response = Read("""[{"statusCode":200,"body":{"num":1,"_placeholder":true}}]""", [first, second]);

        Assert.True(response.TryGetBinaryBody(out var body));
        Assert.Equal(second, body.ToArray());
    }

    [Fact]
    public void Read_TwoBinaryValuesInAnObject_IsNotOneBinaryBody()
    {
        // res.json({content: Buffer, list: [Buffer]}): placeholders 0 and 1 inside an object.
        byte[] first = [1, 2, 3];
        byte[] second = [4];
        var response = Read(
            """[{"body":{"content":{"_placeholder":true,"num":0},"list":[{"_placeholder":true,"num":1}]},"headers":{},"statusCode":200}]""",
            [first, second]);

        Assert.False(response.TryGetBinaryBody(out var body));
        Assert.True(body.IsEmpty);
        Assert.Equal(2, response.Attachments.Count);
        Assert.Equal(first, response.Attachments[0].ToArray());
        Assert.Equal(second, response.Attachments[1].ToArray());
    }

    [Theory]
    [InlineData("""{"_placeholder":true,"num":1}""", 1)] // num out of range
    [InlineData("""{"_placeholder":true,"num":-1}""", 1)]
    [InlineData("""{"_placeholder":false,"num":0}""", 1)]
    [InlineData("""{"_placeholder":true}""", 1)]
    [InlineData("""{"_placeholder":true,"num":"0"}""", 1)]
    [InlineData("""{"_placeholder":true,"num":0,"extra":1}""", 1)]
    [InlineData("""{"_placeholder":true,"num":0}""", 0)] // no attachment
    [InlineData("""[{"_placeholder":true,"num":0}]""", 1)]
    [InlineData("\"binary\"", 1)]
    public void Read_NotASingleBinaryBody_TryGetBinaryBodyReturnsFalse(string body, int attachmentCount)
    {
        var attachments = new ReadOnlyMemory<byte>[attachmentCount];
        for (var i = 0; i < attachmentCount; i++)
        {
            attachments[i] = new byte[] { 9 };
        }

        var response = Read($$"""[{"body":{{body}},"statusCode":200}]""", attachments);

        Assert.False(response.TryGetBinaryBody(out _));
    }

    [Fact]
    public void Read_NoBinaryBody_TryGetBinaryBodyReturnsFalse()
    {
        Assert.False(Read("""[{"statusCode":200}]""").TryGetBinaryBody(out _));
    }

    [Fact]
    public void Read_MissingStatusCode_Is200()
    {
        var response = Read("""[{"body":{"a":1},"headers":{}}]""");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("""{"a":1}""", BodyText(response));
    }

    [Fact]
    public void Read_EmptyObject_Is200WithoutBodyOrHeaders()
    {
        var response = Read("[{}]");

        Assert.Equal(200, response.StatusCode);
        Assert.False(response.HasBody);
        Assert.Empty(response.Headers);
        Assert.False(response.Headers.ContainsKey("anything"));
    }

    [Fact]
    public void Read_PropertiesInAnyOrder()
    {
        var response = Read("""[{"statusCode":404,"headers":{"x-a":"1"},"body":"Not Found"}]""");

        Assert.Equal(404, response.StatusCode);
        Assert.Equal("1", response.Headers["X-A"]);
        Assert.Equal("Not Found", response.ReadBodyAsString());
    }

    [Fact]
    public void Read_UnknownPropertiesOfEveryShape_AreSkipped()
    {
        var response = Read(
            """
            [{"future":{"statusCode":500,"body":"inner","nested":[1,{"headers":{"x":"y"}}]},"body":"outer","flag":true,
              "list":["statusCode",500],"statusCode":201,"n":-1.5e3,"none":null,"text":"body","headers":{"h":"v"},"status":400}]
            """);

        Assert.Equal(201, response.StatusCode);
        Assert.Equal("outer", response.ReadBodyAsString());
        Assert.Equal("v", Assert.Single(response.Headers).Value);
    }

    [Theory]
    [InlineData("null", "null")]
    [InlineData("42", "42")]
    [InlineData("-0.5e-3", "-0.5e-3")]
    [InlineData("true", "true")]
    [InlineData("[1,[2],{\"a\":[]}]", "[1,[2],{\"a\":[]}]")]
    [InlineData("\"\"", "\"\"")]
    public void Read_BodyOfAnyJsonType_IsKeptRaw(string body, string expectedRaw)
    {
        var response = Read($$"""[{"body":{{body}},"headers":{},"statusCode":200}]""");

        Assert.True(response.HasBody);
        Assert.Equal(expectedRaw, BodyText(response));
    }

    [Fact]
    public void Read_HeadersNullOrNotAnObject_NoHeaders()
    {
        Assert.Empty(Read("""[{"headers":null,"statusCode":200}]""").Headers);
        Assert.Empty(Read("""[{"headers":["a","b"],"statusCode":200}]""").Headers);
        Assert.Empty(Read("""[{"headers":"x","statusCode":200}]""").Headers);
    }

    [Fact]
    public void Read_ExtraAckArguments_AreIgnored()
    {
        var response = Read("""[{"statusCode":204},{"statusCode":500},"x"]""");

        Assert.Equal(204, response.StatusCode);
    }

    [Fact]
    public void Read_CapturedParseError_ThrowsSailsParseErrorExceptionWithDetails()
    {
        const string Arguments = """
            [{"code":"SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ","name":"Error (SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ):","status":400,"message":"Failed to parse incoming socket.io request.","stack":"Error (SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ):: Failed to parse incoming socket.io request.\n    at new constructor (…)\n …","details":"No url provided in request: { method: 'get', headers: {}, data: {} }"}]
            """;

        var ex = Assert.Throws<SailsParseErrorException>(() => JwrReader.Read(Encoding.UTF8.GetBytes(Arguments), s_noAttachments));

        Assert.Equal("No url provided in request: { method: 'get', headers: {}, data: {} }", ex.Details);
        Assert.Contains(SailsParseErrorException.ErrorCode, ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.Details, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ParseErrorWithDetailsFirst_StillRecognised()
    {
        var ex = Assert.Throws<SailsParseErrorException>(() => JwrReader.Read(
            """[{"details":"Invalid url provided: 123","status":400,"code":"SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ"}]"""u8.ToArray(), s_noAttachments));

        Assert.Equal("Invalid url provided: 123", ex.Details);
    }

    [Fact]
    public void Read_ParseErrorWithoutDetails_StillRecognised()
    {
        var ex = Assert.Throws<SailsParseErrorException>(() => JwrReader.Read(
            """[{"code":"SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ","details":{"not":"text"}}]"""u8.ToArray(), s_noAttachments));

        Assert.False(string.IsNullOrEmpty(ex.Details));
    }

    [Fact]
    public void Read_ParseErrorCodeWithStatusCode_IsAnOrdinaryResponse()
    {
        // Only the object without statusCode is Sails' parse error; an app may well put that code in a real response.
        var response = Read("""[{"body":{"code":"x"},"code":"SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ","statusCode":400}]""");

        Assert.Equal(400, response.StatusCode);
    }

    [Fact]
    public void Read_OtherCodeWithoutStatusCode_IsAnOrdinaryResponse()
    {
        var response = Read("""[{"code":"E_SOMETHING","details":"d"}]""");

        Assert.Equal(200, response.StatusCode);
        Assert.False(response.HasBody);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("{}")]
    [InlineData("""{"body":"x","statusCode":200}""")]
    [InlineData("\"[{}]\"")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("[null]")]
    [InlineData("[\"Not Found\"]")]
    [InlineData("[404]")]
    [InlineData("[[{}]]")]
    [InlineData("""[{"statusCode":"200"}]""")]
    [InlineData("""[{"statusCode":200.5}]""")]
    [InlineData("""[{"statusCode":null}]""")]
    [InlineData("""[{"statusCode":true}]""")]
    [InlineData("""[{"statusCode":99999999999}]""")]
    [InlineData("""[{"statusCode":{"value":200}}]""")]
    [InlineData("""[{"body":}]""")]
    [InlineData("""[{"body" "x"}]""")]
    [InlineData("""[{body:"x"}]""")]
    [InlineData("""[{"body":'x'}]""")]
    [InlineData("""[{"body":"x",}]""")]
    [InlineData("""[{"headers":{"a":}},"statusCode":200}]""")]
    [InlineData("""[{"body":"x"]""")]
    public void Read_Malformed_ThrowsSailsProtocolException(string arguments)
    {
        Assert.Throws<SailsProtocolException>(() => JwrReader.Read(Encoding.UTF8.GetBytes(arguments), s_noAttachments));
    }

    [Fact]
    public void Read_StatusCodeNotAnInteger_MessageNamesIt()
    {
        var ex = Assert.Throws<SailsProtocolException>(() => JwrReader.Read("""[{"statusCode":"404"}]"""u8.ToArray(), s_noAttachments));

        Assert.Contains("statusCode", ex.Message, StringComparison.Ordinal);
        Assert.Contains("offset 15", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedAtEveryOffsetInsideTheObject_ThrowsSailsProtocolException()
    {
        var full = Encoding.UTF8.GetBytes("""[{"body":{"a":[1,"x"]},"headers":{"Location":"/echo","content-length":35},"statusCode":302}]""");

        // Every strict prefix that ends inside the object (the last "}]" and "]" prefixes are covered separately).
        for (var length = 0; length < full.Length - 1; length++)
        {
            var prefix = full.AsMemory(0, length);
            var ex = Record.Exception(() => JwrReader.Read(prefix, s_noAttachments));
            Assert.True(ex is SailsProtocolException, $"prefix of {length} bytes '{Encoding.UTF8.GetString(prefix.Span)}': {ex?.GetType().Name ?? "no exception"}");
        }
    }

    [Fact]
    public void Read_MissingClosingBracketOrTrailingGarbage_ThrowsSailsProtocolException()
    {
        // JwrReader stops reading at the end of the first object, so a JWR cut right before its final ']' (or followed by
        // anything at all) is accepted as a complete response.
        Assert.Throws<SailsProtocolException>(() => JwrReader.Read("""[{"statusCode":200}"""u8.ToArray(), s_noAttachments));
        Assert.Throws<SailsProtocolException>(() => JwrReader.Read("""[{"statusCode":200},"""u8.ToArray(), s_noAttachments));
        Assert.Throws<SailsProtocolException>(() => JwrReader.Read("""[{"statusCode":200}]}"""u8.ToArray(), s_noAttachments));
    }

    [Fact]
    public void Read_Malformed_KeepsTheJsonExceptionAsInner()
    {
        var ex = Assert.Throws<SailsProtocolException>(() => JwrReader.Read("""[{"body":tru}]"""u8.ToArray(), s_noAttachments));

        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
    }

    [Theory]
    [InlineData("""[{"headers":{"x-a":"\ud800"},"statusCode":200}]""")] // a lone surrogate: valid JSON, JSON.stringify emits it
    [InlineData("""[{"headers":{"\udc00":"v"},"statusCode":200}]""")]
    [InlineData("""[{"code":"\ud800","statusCode":200}]""")]
    public void Read_LoneSurrogateEscapeInAHeaderOrCode_DoesNotEscapeAsInvalidOperationException(string arguments)
    {
        // Utf8JsonReader.GetString throws InvalidOperationException (not JsonException) for a lone-surrogate escape or
        // invalid UTF-8, and JwrReader catches only JsonException.
        var ex = Record.Exception(() => JwrReader.Read(Encoding.UTF8.GetBytes(arguments), s_noAttachments));

        Assert.True(ex is null or SailsProtocolException, $"{ex?.GetType().FullName}: {ex?.Message}");
    }

    [Fact]
    public void Read_InvalidUtf8InAHeaderValue_DoesNotEscapeAsInvalidOperationException()
    {
        byte[] arguments = [.. "[{\"headers\":{\"x-a\":\""u8, 0xC3, 0x28, .. "\"},\"statusCode\":200}]"u8];

        var ex = Record.Exception(() => JwrReader.Read(arguments, s_noAttachments));

        Assert.True(ex is null or SailsProtocolException, $"{ex?.GetType().FullName}: {ex?.Message}");
    }

    [Fact]
    public void Headers_AreParsedOnFirstUseOnceAndShared()
    {
        var response = Read("""[{"body":1,"headers":{"x-a":"1","x-b":2},"statusCode":200}]""");

        var first = response.Headers;
        Assert.Same(first, response.Headers);
        Assert.Equal("1", first["X-A"]);
        Assert.Equal("2", first["x-b"]);
    }

    [Fact]
    public void Headers_Empty_ShareOneDictionary()
    {
        Assert.Same(Read("""[{"headers":{},"statusCode":200}]""").Headers, Read("""[{"statusCode":404}]""").Headers);
    }

    [Fact]
    public void Read_EscapedHeaderNameAndValue_AreUnescaped()
    {
        var response = Read("""[{"headers":{"x-caf\u00e9":"caf\u00e9 \"q\""},"statusCode":200}]""");

        Assert.Equal("café \"q\"", response.Headers["x-café"]);
    }

    [Fact]
    public void Read_RepeatedHeadersProperty_TheLastWins()
    {
        Assert.Empty(Read("""[{"headers":{"a":"1"},"headers":{},"statusCode":200}]""").Headers);
        Assert.Equal("2", Assert.Single(Read("""[{"headers":{},"headers":{"a":"2"},"statusCode":200}]""").Headers).Value);
        Assert.Equal("3", Assert.Single(Read("""[{"headers":{"a":"\u0031"},"headers":{"a":"3"},"statusCode":200}]""").Headers).Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Read_InvalidUtf8InAHeader_FailsAtReadNotWhenTheHeadersAreRead(bool inTheName)
    {
        byte[] bad = [0xC3, 0x28];
        byte[] arguments = inTheName
            ? [.. "[{\"headers\":{\""u8, .. bad, .. "\":\"v\"},\"statusCode\":200}]"u8]
            : [.. "[{\"headers\":{\"x-a\":\""u8, .. bad, .. "\"},\"statusCode\":200}]"u8];

        var ex = Record.Exception(() => JwrReader.Read(arguments, s_noAttachments));

        // Either the JSON reader or the header check refuses it; never an error deferred to the Headers property.
        Assert.IsType<SailsProtocolException>(ex);
    }

    [Fact]
    public void Read_BodyAndHeaders_SliceTheArgumentsWithoutCopying()
    {
        var arguments = """[{"body":{"a":1},"headers":{"x":"y"},"statusCode":200}]"""u8.ToArray();

        var response = JwrReader.Read(arguments, s_noAttachments);
        arguments[14] = (byte)'2'; // the body's "1"

        Assert.Equal("""{"a":2}""", BodyText(response));
    }
}
