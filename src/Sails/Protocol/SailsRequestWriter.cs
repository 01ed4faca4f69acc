using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SailSocket.Protocol;

/// <summary>What one request envelope is written from; passed by value through the Socket.IO emit, no allocation.</summary>
/// <typeparam name="TData">The type of typed data, when there is some.</typeparam>
internal readonly struct SailsEnvelope<TData>
{
    public SailsEnvelope(string method, string url, IDictionary<string, string>? headers, Dictionary<string, string> defaultHeaders, ReadOnlyMemory<byte> rawData, TData data, JsonTypeInfo<TData>? dataTypeInfo, ISet<string>? omittedDefaultHeaders = null)
    {
        OmittedDefaultHeaders = omittedDefaultHeaders;
        Method = method;
        Url = url;
        Headers = headers;
        DefaultHeaders = defaultHeaders;
        RawData = rawData;
        Data = data;
        DataTypeInfo = dataTypeInfo;
    }

    public string Method { get; }

    public string Url { get; }

    public IDictionary<string, string>? Headers { get; }

    public Dictionary<string, string> DefaultHeaders { get; }

    public ISet<string>? OmittedDefaultHeaders { get; }

    public ReadOnlyMemory<byte> RawData { get; }

    public TData Data { get; }

    public JsonTypeInfo<TData>? DataTypeInfo { get; }

    /// <summary>The same request with the default headers of the connection it is sent on.</summary>
    /// <param name="defaultHeaders">The connection's default request headers.</param>
    /// <returns>The envelope to write.</returns>
    public SailsEnvelope<TData> WithDefaultHeaders(Dictionary<string, string> defaultHeaders) =>
        new(Method, Url, Headers, defaultHeaders, RawData, Data, DataTypeInfo, OmittedDefaultHeaders);
}

/// <summary>Writes the Sails request envelope, the single argument of a request event. Pure.</summary>
/// <remarks>
/// Wire form (docs/protocol.md §4.3): <c>{"method":"get","headers":{…},"data":&lt;data&gt;,"url":"/path?query"}</c>.
/// Request headers come first; a default header is added only when the request has none of that name (case-insensitive),
/// as sails.io.js does, and the request does not omit it. Data defaults to <c>{}</c>.
/// </remarks>
internal static class SailsRequestWriter
{
    private static readonly JsonEncodedText s_method = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText s_headers = JsonEncodedText.Encode("headers");
    private static readonly JsonEncodedText s_data = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText s_url = JsonEncodedText.Encode("url");

    public static void Write<TData>(Utf8JsonWriter writer, SailsEnvelope<TData> envelope)
    {
        writer.WriteStartObject();
        writer.WriteString(s_method, envelope.Method);
        writer.WritePropertyName(s_headers);
        writer.WriteStartObject();
        if (envelope.Headers is Dictionary<string, string> { Count: > 0 } own)
        {
            // The concrete type enumerates without boxing an enumerator (SailsRequest.Headers is one).
            foreach (var (name, value) in own)
            {
                writer.WriteString(name, value);
            }
        }
        else if (envelope.Headers is { Count: > 0 } headers)
        {
            foreach (var (name, value) in headers)
            {
                writer.WriteString(name, value);
            }
        }

        var omitted = envelope.OmittedDefaultHeaders is { Count: > 0 } set ? set : null;
        foreach (var (name, value) in envelope.DefaultHeaders)
        {
            if ((envelope.Headers is null || !envelope.Headers.ContainsKey(name)) && (omitted is null || !omitted.Contains(name)))
            {
                writer.WriteString(name, value);
            }
        }

        writer.WriteEndObject();
        writer.WritePropertyName(s_data);
        if (envelope.DataTypeInfo is { } typeInfo)
        {
            JsonSerializer.Serialize(writer, envelope.Data, typeInfo);
        }
        else if (!envelope.RawData.IsEmpty)
        {
            WriteRaw(writer, envelope.RawData.Span);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }

        writer.WriteString(s_url, envelope.Url);
        writer.WriteEndObject();
    }

    private static void WriteRaw(Utf8JsonWriter writer, ReadOnlySpan<byte> json)
    {
        try
        {
            writer.WriteRawValue(json, skipInputValidation: false);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The request data is not valid JSON: {ex.Message}", nameof(json), ex);
        }
    }
}
