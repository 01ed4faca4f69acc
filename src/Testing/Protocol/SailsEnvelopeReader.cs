using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SailSocket.Testing.Protocol;

/// <summary>
/// Reads a Sails request (docs/protocol.md §4.3: <c>["get",{"method":…,"headers":{…},"data":…,"url":"…"}]</c>) the way
/// sails-hook-sockets does (§5.3–5.4): the event name is the method, the envelope's <c>method</c> is ignored, header
/// names are lower-cased and non-string values turned into text, the url is split into path and query.
/// </summary>
internal static class SailsEnvelopeReader
{
    /// <summary>The Socket.IO events Sails treats as requests, lower case only (§5.2).</summary>
    private static readonly string[] s_methods = ["get", "post", "put", "patch", "delete", "options", "head"];

    /// <summary>The parts of one request, or the parse-error details Sails would answer with.</summary>
    internal readonly record struct Envelope(string Method, string Url, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers, JsonElement Body);

    /// <summary>
    /// Reads the JSON array of an EVENT (<see cref="JsonException"/> when it is not one). Returns false when the event is
    /// not a request (Sails ignores it); otherwise
    /// <paramref name="error"/> is null and <paramref name="envelope"/> set, or <paramref name="error"/> holds the details
    /// of a parse error.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out Envelope envelope, out string? error)
    {
        envelope = default;
        error = null;
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0 || root[0].ValueKind != JsonValueKind.String)
        {
            // Not an event at all: a real server drops the connection (protocol.md §3.8).
            throw new JsonException("An EVENT's payload is an array starting with the event name.");
        }

        var name = root[0].GetString()!;
        if (Array.IndexOf(s_methods, name) < 0)
        {
            return false;
        }

        if (root.GetArrayLength() < 2 || root[1].ValueKind != JsonValueKind.Object)
        {
            error = "No url provided in request.";
            return true;
        }

        var body = root[1];
        if (!body.TryGetProperty("url", out var urlElement) || urlElement.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            error = "No url provided in request.";
            return true;
        }

        if (urlElement.ValueKind != JsonValueKind.String || urlElement.GetString() is not { Length: > 0 } url)
        {
            error = "Invalid url provided.";
            return true;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (body.TryGetProperty("headers", out var headerElement) && headerElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in headerElement.EnumerateObject())
            {
                headers[header.Name.ToLowerInvariant()] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString()! : header.Value.GetRawText();
            }
        }

        var data = body.TryGetProperty("data", out var dataElement) ? dataElement.Clone() : default;
        var question = url.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? url : url[..question];
        var query = ParseQuery(question < 0 ? ReadOnlySpan<char>.Empty : url.AsSpan(question + 1));
        envelope = new Envelope(name.ToUpperInvariant(), url, path.Length == 0 ? "/" : path, query, headers, data);
        return true;
    }

    /// <summary>Parses <c>a=1&amp;b=x%20y</c> into decoded pairs (the last of a repeated name wins; <c>+</c> is a space).</summary>
    public static Dictionary<string, string> ParseQuery(ReadOnlySpan<char> query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf('&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? [] : query[(amp + 1)..];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? [] : pair[(equals + 1)..];
            result[Decode(name)] = Decode(value);
        }

        return result;
    }

    private static string Decode(ReadOnlySpan<char> text) => Uri.UnescapeDataString(text.ToString().Replace('+', ' '));
}
