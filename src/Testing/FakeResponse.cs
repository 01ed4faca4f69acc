using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SailSocket.Testing;

/// <summary>
/// What a route answers: the status code, headers and body of the JWR (docs/protocol.md §5.5), and an optional delay
/// before the answer is sent.
/// </summary>
/// <remarks>
/// Immutable. Build one with a factory (<see cref="Json{T}(T, JsonTypeInfo{T}, int)"/>, <see cref="Json(string, int)"/>,
/// <see cref="Text"/>, <see cref="Status"/>) and refine it with <see cref="WithHeader"/> and <see cref="WithDelay"/>.
/// </remarks>
public sealed class FakeResponse
{
    private static readonly IReadOnlyDictionary<string, string> s_noHeaders = new Dictionary<string, string>();

    private FakeResponse(int statusCode, byte[]? body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100, nameof(statusCode));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599, nameof(statusCode));
        StatusCode = statusCode;
        BodyUtf8 = body;
    }

    /// <summary>A response that is never sent, like a Sails action that never responds: the client's request times out.</summary>
    public static FakeResponse NoReply { get; } = new(200, null) { IsNoReply = true };

    /// <summary>The status code, 100 to 599.</summary>
    public int StatusCode { get; }

    /// <summary>The response headers (JWR <c>headers</c>). Default: none, as Sails sends for ordinary JSON.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; private init; } = s_noHeaders;

    /// <summary>How long the server waits, on its <see cref="FakeSailsServerOptions.TimeProvider"/>, before it answers. Default zero.</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>The body as JSON text, or <see langword="null"/> when the JWR has no <c>body</c> key.</summary>
    public string? BodyJson => BodyUtf8 is null ? null : Encoding.UTF8.GetString(BodyUtf8);

    /// <summary>Whether this is <see cref="NoReply"/>.</summary>
    public bool IsNoReply { get; private init; }

    internal byte[]? BodyUtf8 { get; }

    /// <summary>A JSON body serialized through <paramref name="typeInfo"/> (trimming- and AOT-safe).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 100–599.</exception>
    public static FakeResponse Json<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new FakeResponse(statusCode, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
    }

    /// <summary>A body given as JSON text, e.g. <c>{"id":7}</c>, checked here.</summary>
    /// <exception cref="ArgumentException"><paramref name="json"/> is not one JSON value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 100–599.</exception>
    public static FakeResponse Json(string json, int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(json);
        var bytes = Encoding.UTF8.GetBytes(json);
        try
        {
            var reader = new Utf8JsonReader(bytes);
            reader.Read();
            reader.Skip();
            if (reader.Read())
            {
                throw new JsonException("Text after the JSON value.");
            }
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The body is not one JSON value: {ex.Message}", nameof(json), ex);
        }

        return new FakeResponse(statusCode, bytes);
    }

    /// <summary>A body that is a JSON element (copied).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 100–599.</exception>
    public static FakeResponse Json(JsonElement body, int statusCode = 200) =>
        new(statusCode, body.ValueKind == JsonValueKind.Undefined ? null : Encoding.UTF8.GetBytes(body.GetRawText()));

    /// <summary>A string body, as Sails' <c>res.send('text')</c> sends it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 100–599.</exception>
    public static FakeResponse Text(string text, int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new FakeResponse(statusCode, JsonSerializer.SerializeToUtf8Bytes(text, Internal.FakeJsonContext.Default.String));
    }

    /// <summary>
    /// A status with the body Sails' default responses give it: <c>"OK"</c> for 200, <c>"Not Found"</c> for 404,
    /// <c>"Forbidden"</c> for 403, <c>"Bad Request"</c> for 400, <c>"Internal Server Error"</c> for 500, otherwise the
    /// number as text.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 100–599.</exception>
    public static FakeResponse Status(int statusCode) => Text(statusCode switch
    {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }, statusCode);

    /// <summary>A copy with one more header (a header of the same name, compared case-insensitively, is replaced).</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public FakeResponse WithHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        var headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase) { [name] = value };
        return new FakeResponse(StatusCode, BodyUtf8) { Headers = headers, Delay = Delay, IsNoReply = IsNoReply };
    }

    /// <summary>A copy that the server sends <paramref name="delay"/> after the request arrived, on its clock.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public FakeResponse WithDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(delay));
        return new FakeResponse(StatusCode, BodyUtf8) { Headers = Headers, Delay = delay, IsNoReply = IsNoReply };
    }

    /// <summary>The status and, when present, the body's length (not the body: it may carry secrets).</summary>
    public override string ToString() => IsNoReply ? "no reply" : $"{StatusCode} ({BodyUtf8?.Length ?? 0} body bytes)";
}
