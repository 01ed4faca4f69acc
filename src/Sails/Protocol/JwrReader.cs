using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SailSocket.Protocol;

/// <summary>Reads the JSON WebSocket Response (JWR) from the arguments of a request's ack. Pure.</summary>
/// <remarks>
/// Grammar (docs/protocol.md §4.4, §5.5): the ack arguments are <c>[{"body":any?,"headers":{name:value}?,"statusCode":int?}]</c>;
/// properties in any order, unknown ones skipped; a header value may be a number (kept as its JSON text); a name may
/// repeat in another case (the last one wins).
/// </remarks>
internal static class JwrReader
{
    private static readonly JsonEncodedText s_body = JsonEncodedText.Encode("body");
    private static readonly JsonEncodedText s_headers = JsonEncodedText.Encode("headers");
    private static readonly JsonEncodedText s_statusCode = JsonEncodedText.Encode("statusCode");
    private static readonly JsonEncodedText s_placeholder = JsonEncodedText.Encode("_placeholder");
    private static readonly JsonEncodedText s_num = JsonEncodedText.Encode("num");
    private static readonly JsonEncodedText s_code = JsonEncodedText.Encode("code");
    private static readonly JsonEncodedText s_details = JsonEncodedText.Encode("details");

    /// <summary>The headers of every response whose <c>headers</c> object is empty or missing (shared, never modified).</summary>
    internal static IReadOnlyDictionary<string, string> NoHeaders { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads a JWR.</summary>
    /// <param name="arguments">The ack's JSON array.</param>
    /// <param name="attachments">The ack's binary attachments.</param>
    /// <param name="method">The request's method, kept on the response for messages.</param>
    /// <param name="url">The request's URL, kept on the response for messages.</param>
    /// <returns>The response; its body slices <paramref name="arguments"/>, and its headers are parsed from them on first use
    /// (they are checked here, so that a malformed JWR fails now, not when someone reads its headers).</returns>
    /// <exception cref="SailsProtocolException">The ack is not a JWR.</exception>
    /// <exception cref="SailsParseErrorException">The ack is Sails' parse-error object (docs/protocol.md §5.3).</exception>
    public static SailsResponse Read(ReadOnlyMemory<byte> arguments, IReadOnlyList<ReadOnlyMemory<byte>> attachments, string method = "", string url = "")
    {
        var reader = new Utf8JsonReader(arguments.Span);
        var statusCode = 200;
        var hasStatusCode = false;
        string? code = null;
        string? details = null;
        var bodyStart = 0;
        var bodyLength = 0;
        var headersStart = -1;
        IReadOnlyDictionary<string, string>? headers = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new SailsProtocolException($"The response is not a JSON WebSocket Response object (at byte offset {reader.TokenStartIndex}).");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(s_body.EncodedUtf8Bytes))
                {
                    reader.Read();
                    bodyStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    bodyLength = (int)reader.BytesConsumed - bodyStart;
                }
                else if (reader.ValueTextEquals(s_headers.EncodedUtf8Bytes))
                {
                    // The last "headers" wins, as with any repeated JSON property.
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    headersStart = -1;
                    headers = null;
                    switch (ScanHeaders(ref reader))
                    {
                        case HeadersScan.Lazy:
                            headersStart = start;
                            break;
                        case HeadersScan.Escaped:
                            // Rare: escapes may hide invalid UTF-16, which only unescaping finds; parse now to report it now.
                            headers = ParseHeaders(arguments.Span[start..]);
                            break;
                    }
                }
                else if (reader.ValueTextEquals(s_statusCode.EncodedUtf8Bytes))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out statusCode))
                    {
                        throw new SailsProtocolException($"The response's statusCode is not an integer (at byte offset {reader.TokenStartIndex}).");
                    }

                    hasStatusCode = true;
                }
                else if (reader.ValueTextEquals(s_code.EncodedUtf8Bytes) || reader.ValueTextEquals(s_details.EncodedUtf8Bytes))
                {
                    var isCode = reader.ValueTextEquals(s_code.EncodedUtf8Bytes);
                    reader.Read();
                    var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    if (isCode)
                    {
                        code = text;
                    }
                    else
                    {
                        details = text;
                    }

                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Further ack arguments are ignored, but the array must be complete and nothing may follow it.
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                reader.Skip();
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                throw new SailsProtocolException($"The response's JSON array is not closed, or something follows it (at byte offset {reader.BytesConsumed}).");
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-16 once unescaped (a lone surrogate, "\ud800").
            throw new SailsProtocolException($"The response is not valid JSON (at byte offset {reader.BytesConsumed}): {ex.Message}", ex);
        }

        // Sails answers a request it cannot parse with an error object in place of the response (no statusCode).
        if (!hasStatusCode && code == SailsParseErrorException.ErrorCode)
        {
            throw new SailsParseErrorException(details ?? "(no details)");
        }

        return new SailsResponse(statusCode, arguments, bodyStart, bodyLength, headersStart, headers, attachments, method, url);
    }

    /// <summary>Reads <c>num</c> from a placeholder object; -1 when the JSON is not a placeholder.</summary>
    public static int ReadPlaceholderIndex(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var isPlaceholder = false;
        var num = -1;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return -1;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(s_placeholder.EncodedUtf8Bytes))
                {
                    reader.Read();
                    isPlaceholder = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals(s_num.EncodedUtf8Bytes))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out num))
                    {
                        return -1;
                    }
                }
                else
                {
                    return -1;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return -1;
        }

        return isPlaceholder ? num : -1;
    }

    /// <summary>What <see cref="ScanHeaders"/> found.</summary>
    private enum HeadersScan
    {
        /// <summary>Not an object, or an empty one: no headers.</summary>
        None,

        /// <summary>Names and values are plain, valid UTF-8: safe to parse later.</summary>
        Lazy,

        /// <summary>Some name or value has escapes: parse now.</summary>
        Escaped,
    }

    /// <summary>
    /// Steps over the <c>headers</c> value (the reader is on its first token), checking what a later
    /// <see cref="ParseHeaders"/> would need, without allocating.
    /// </summary>
    /// <exception cref="SailsProtocolException">A name or value is not valid UTF-8.</exception>
    private static HeadersScan ScanHeaders(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return HeadersScan.None;
        }

        var scan = HeadersScan.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            scan = Check(ref reader, scan);
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                scan = Check(ref reader, scan);
            }
            else
            {
                reader.Skip();
            }
        }

        return scan;

        static HeadersScan Check(ref Utf8JsonReader reader, HeadersScan scan)
        {
            if (reader.ValueIsEscaped)
            {
                return HeadersScan.Escaped;
            }

            if (!System.Text.Unicode.Utf8.IsValid(reader.ValueSpan))
            {
                throw new SailsProtocolException($"A response header is not valid UTF-8 (at byte offset {reader.TokenStartIndex}).");
            }

            return scan == HeadersScan.Escaped ? scan : HeadersScan.Lazy;
        }
    }

    /// <summary>Parses a headers object that <see cref="ScanHeaders"/> accepted; <paramref name="json"/> starts with it.</summary>
    /// <exception cref="SailsProtocolException">A name or value is not valid UTF-16 once unescaped (a lone surrogate).</exception>
    internal static IReadOnlyDictionary<string, string> ParseHeaders(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return NoHeaders;
            }

            Dictionary<string, string>? headers = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                headers ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                var name = reader.GetString()!;
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    headers[name] = reader.GetString()!;
                }
                else
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    headers[name] = System.Text.Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
                }
            }

            return (IReadOnlyDictionary<string, string>?)headers ?? NoHeaders;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new SailsProtocolException($"The response's headers are not valid (at byte offset {reader.TokenStartIndex}): {ex.Message}", ex);
        }
    }
}
