using System;
using System.Collections.Generic;
using System.Text;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// What a user sees when printing a response, its body or an event's data: the JSON text, not
/// <c>System.ReadOnlyMemory&lt;Byte&gt;[n]</c>.
/// </summary>
public sealed class SailsJsonPrintingTests
{
    private static SailsResponse Read(string arguments) => JwrReaderTests.Read(arguments, method: "get", url: "/pet");

    [Fact]
    public void Interpolating_a_response_shows_its_status_and_JSON_body()
    {
        var response = Read("""[{"body":{"id":1,"name":"Rex"},"headers":{},"statusCode":200}]""");

        Assert.Equal("""200 {"id":1,"name":"Rex"}""", $"{response}");
        Assert.Equal("""{"id":1,"name":"Rex"}""", $"{response.Body}");
        Assert.Equal("""{"id":1,"name":"Rex"}""", response.Body.ToString());
    }

    [Theory]
    [InlineData("""[{"body":"Not Found","statusCode":404}]""", "\"Not Found\"")]
    [InlineData("""[{"body":[1,2,3],"statusCode":200}]""", "[1,2,3]")]
    [InlineData("""[{"body":42,"statusCode":200}]""", "42")]
    [InlineData("""[{"body":null,"statusCode":200}]""", "null")]
    [InlineData("""[{"body":{"text":"h\u00e9llo \u2713"},"statusCode":200}]""", "{\"text\":\"h\\u00e9llo \\u2713\"}")] // the JSON as sent: escapes are not decoded
    public void A_body_prints_as_its_raw_JSON(string arguments, string expected)
    {
        var response = Read(arguments);

        Assert.Equal(expected, $"{response.Body}");
        Assert.Equal($"{response.StatusCode} {expected}", $"{response}");
    }

    [Fact]
    public void Non_ASCII_text_prints_decoded_from_UTF_8()
    {
        var response = Read("""[{"body":{"text":"héllo wörld ✓ 😀"},"statusCode":200}]""");

        Assert.Equal("""{"text":"héllo wörld ✓ 😀"}""", $"{response.Body}");
    }

    [Fact]
    public void No_body_prints_as_empty_and_the_response_says_so()
    {
        var response = Read("""[{"statusCode":200}]""");

        Assert.True(response.Body.IsEmpty);
        Assert.Equal(string.Empty, $"{response.Body}");
        Assert.Equal("200 (no body)", $"{response}");
    }

    [Fact]
    public void Event_data_prints_as_its_JSON_and_the_event_with_its_name()
    {
        var data = Encoding.UTF8.GetBytes("""{"verb":"created","id":7,"data":{"name":"Rex"}}""");
        var socketEvent = new SailsEvent("pet", data, Array.Empty<ReadOnlyMemory<byte>>());

        Assert.Equal("""{"verb":"created","id":7,"data":{"name":"Rex"}}""", $"{socketEvent.Data}");
        Assert.Equal("""pet {"verb":"created","id":7,"data":{"name":"Rex"}}""", $"{socketEvent}");
    }

    [Fact]
    public void Body_and_Data_still_convert_to_bytes()
    {
        var response = Read("""[{"body":{"a":1},"statusCode":200}]""");

        ReadOnlyMemory<byte> bytes = response.Body;
        Assert.Equal("""{"a":1}"""u8.ToArray(), bytes.ToArray());
        Assert.Equal(bytes.Length, response.Body.Length);
        Assert.Equal(new SailsJson("""{"a":1}"""u8.ToArray()), response.Body);
    }
}
