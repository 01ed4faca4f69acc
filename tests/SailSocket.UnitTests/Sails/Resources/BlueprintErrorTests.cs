using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using SailSocket.Errors;
using SailSocket.Internal;
using SailSocket.Resources;
using Xunit;

namespace SailSocket.UnitTests.Sails.Resources;

/// <summary><see cref="SailsErrors.Blueprint"/>: the error bodies of Sails 1.5 blueprints (captured from tests/sails-app) mapped,
/// bounded and redacted; <see cref="RecordReader"/>: the path of a mismatch and no value.</summary>
public sealed class BlueprintErrorTests
{
    private static SailsResponse Response(int status, string body, string method = "post", string url = "/owner")
    {
        var json = Encoding.UTF8.GetBytes(body);
        return new SailsResponse(status, json, 0, json.Length, -1, new Dictionary<string, string>(), [], method, url);
    }

    [Fact]
    public void A_usage_error_maps_to_invalid_request_with_code_and_details()
    {
        var response = Response(400, """{"code":"E_INVALID_NEW_RECORD","details":"Missing value for required attribute `name`.  Expected a string, but instead, got: undefined","message":"The server could not fulfill this request (`POST /owner`) due to a problem with the parameters that were sent."}""");
        var error = SailsErrors.Blueprint(response, "owner", null);
        Assert.Equal((SailsBlueprintErrorKind.InvalidRequest, "E_INVALID_NEW_RECORD", 400, "owner"), (error.Kind, error.Code, error.StatusCode, error.Model));
        Assert.StartsWith("Missing value for required attribute `name`", error.Details, StringComparison.Ordinal);
        Assert.Equal("POST /owner on the 'owner' blueprint failed with status 400 (E_INVALID_NEW_RECORD): " + error.Details, error.Message);
        Assert.Empty(error.AttributeNames);
        Assert.Same(response, error.Response);
    }

    [Fact]
    public void A_unique_violation_names_its_attributes()
    {
        var error = SailsErrors.Blueprint(Response(400, """{"code":"E_UNIQUE","message":"Would violate uniqueness constraint-- a record already exists with conflicting value(s).","modelIdentity":"owner","attrNames":["name",7,"email"]}"""), "owner", null);
        Assert.Equal((SailsBlueprintErrorKind.UniqueViolation, "E_UNIQUE"), (error.Kind, error.Code));
        Assert.Equal(["name", "email"], error.AttributeNames);
        Assert.Contains("on name, email: Would violate uniqueness", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, "\"Not Found\"", SailsBlueprintErrorKind.NotFound, "Not Found")]
    [InlineData(500, "\"UsageError: Could not JSON.parse() the provided `where` clause.\"", SailsBlueprintErrorKind.ServerError, "UsageError: Could not JSON.parse() the provided `where` clause.")]
    [InlineData(403, "{\"message\":\"Forbidden\"}", SailsBlueprintErrorKind.Other, "Forbidden")]
    [InlineData(400, "{\"code\":\"NOT_AN_E_CODE\"}", SailsBlueprintErrorKind.Other, null)]
    [InlineData(404, "", SailsBlueprintErrorKind.NotFound, null)]
    [InlineData(400, "{\"code\":\"E_X\",\"details\":", SailsBlueprintErrorKind.InvalidRequest, null)]
    public void Other_shapes_map_by_status(int status, string body, SailsBlueprintErrorKind kind, string? details)
    {
        var error = SailsErrors.Blueprint(Response(status, body, "get", "/pet/9?select=name"), "pet", null);
        Assert.Equal((kind, details), (error.Kind, error.Details));
        Assert.StartsWith($"GET /pet/9?select=… on the 'pet' blueprint failed with status {status}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Details_are_bounded_and_the_strings_sent_are_redacted_even_across_the_cut()
    {
        var secret = "correct-horse-battery-staple";
        var details = new string('x', SailsBlueprintException.MaxDetailsLength - 10) + secret;
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = "E_INVALID_NEW_RECORD", ["details"] = details });
        var sent = new SecretSet().AddJsonStrings(Encoding.UTF8.GetBytes($$"""{"name":"{{secret}}"}"""));
        var error = SailsErrors.Blueprint(Response(400, body), "owner", sent);
        Assert.Equal(SailsBlueprintException.MaxDetailsLength - 10 + "[redacted]…".Length, error.Details!.Length);
        Assert.EndsWith("[redacted]…", error.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("correct-ho", error.Message, StringComparison.Ordinal);

        var whole = SailsErrors.Blueprint(Response(400, $$"""{"code":"E_INVALID_NEW_RECORD","details":"Value ('{{secret}}') was not a valid email address."}"""), "owner", sent);
        Assert.Equal("Value ('[redacted]') was not a valid email address.", whole.Details);
    }

    [Fact]
    public void A_mismatch_names_the_path_in_the_whole_body_and_no_value()
    {
        var body = """[{"id":1,"name":"a","age":3},{"id":2,"name":"b","age":"hunter2"}]"""u8.ToArray();
        var error = Assert.Throws<JsonException>(() => RecordReader.ReadMany(body, UnitResourceJson.Default.AgedPet, "GET /pet"));
        Assert.Equal("$[1].age", error.Path);
        Assert.Equal("A record from GET /pet does not match AgedPet at $[1].age: the value there does not fit the type.", error.Message);
        Assert.Null(error.InnerException);

        var one = Assert.Throws<JsonException>(() => RecordReader.ReadOne("""{"id":1,"name":{"first":"secret"},"age":1}"""u8, UnitResourceJson.Default.AgedPet, "$.data", "the 'pet' created message"));
        Assert.Equal("$.data.name", one.Path);
        Assert.DoesNotContain("secret", one.Message, StringComparison.Ordinal);

        Assert.Equal("$", Assert.Throws<JsonException>(() => RecordReader.ReadMany("""{"id":1}"""u8, UnitResourceJson.Default.AgedPet, "GET /pet")).Path);
        Assert.Equal("$[0]", Assert.Throws<JsonException>(() => RecordReader.ReadMany("[null]"u8, UnitResourceJson.Default.AgedPet, "GET /pet")).Path);
        Assert.Equal("$", Assert.Throws<JsonException>(() => RecordReader.ReadOne(""u8, UnitResourceJson.Default.AgedPet, "$", "GET /pet/1")).Path);
        Assert.Equal(2, RecordReader.ReadMany("""[{"id":1,"name":"a","age":3},{"id":2,"name":"b","age":4,"extra":[1]}]"""u8, UnitResourceJson.Default.AgedPet, "GET /pet").Count);
    }
}
