using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SailSocket.Resources;

/// <summary>
/// Reads blueprint records through their <see cref="JsonTypeInfo{T}"/>. A record that does
/// not match the type fails with a <see cref="JsonException"/> whose <see cref="JsonException.Path"/> locates the
/// mismatch in the whole body (<c>$[3].age</c>), and whose message names the path and the type, never a value: record
/// values may be secrets, and System.Text.Json's own message is not carried along (no inner exception).
/// </summary>
internal static class RecordReader
{
    /// <summary>How deep a record may nest: 64, System.Text.Json's default.</summary>
    private static readonly JsonReaderOptions s_options = new() { MaxDepth = 64 };

    /// <summary>Reads one record.</summary>
    /// <param name="json">The record's JSON.</param>
    /// <param name="typeInfo">The record type.</param>
    /// <param name="basePath">Where the record is in the body: <c>$</c> for a whole body, <c>$.data</c> in a message.</param>
    /// <param name="source">What sent it, for the message (<c>GET /pet/…</c>, <c>the pet message</c>).</param>
    /// <exception cref="JsonException">The JSON is not a <typeparamref name="T"/>, or it is <c>null</c> or absent.</exception>
    public static T ReadOne<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, string basePath, string source)
    {
        if (json.IsEmpty)
        {
            throw Mismatch(typeInfo, basePath, source, "there is no record", 0, 0);
        }

        var reader = new Utf8JsonReader(json, s_options);
        return ReadRecord(ref reader, typeInfo, basePath, source);
    }

    /// <summary>Reads a JSON array of records.</summary>
    /// <exception cref="JsonException">The JSON is not an array of <typeparamref name="T"/>.</exception>
    public static IReadOnlyList<T> ReadMany<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, string source)
    {
        var reader = new Utf8JsonReader(json, s_options);
        bool read;
        try
        {
            read = reader.Read();
        }
        catch (JsonException error)
        {
            throw Mismatch(typeInfo, "$", source, "the body is not JSON", error.LineNumber, error.BytePositionInLine);
        }

        if (!read || reader.TokenType != JsonTokenType.StartArray)
        {
            throw Mismatch(typeInfo, "$", source, "the body is not an array of records", 0, 0);
        }

        var records = new List<T>();
        for (var index = 0; ; index++)
        {
            try
            {
                reader.Read();
            }
            catch (JsonException error)
            {
                throw Mismatch(typeInfo, $"$[{index}]", source, "the body is not JSON", error.LineNumber, error.BytePositionInLine);
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return records;
            }

            records.Add(ReadRecord(ref reader, typeInfo, $"$[{index}]", source));
        }
    }

    private static T ReadRecord<T>(ref Utf8JsonReader reader, JsonTypeInfo<T> typeInfo, string basePath, string source)
    {
        T? record;
        try
        {
            record = JsonSerializer.Deserialize(ref reader, typeInfo);
        }
        catch (JsonException error)
        {
            // error.Path is relative to the record ("$.age"); the caller's path locates the record in the body.
            var path = error.Path is { Length: > 1 } relative && relative[0] == '$' ? basePath + relative[1..] : basePath;
            throw Mismatch(typeInfo, path, source, "the value there does not fit the type", error.LineNumber, error.BytePositionInLine);
        }

        return record ?? throw Mismatch(typeInfo, basePath, source, "the record is null", 0, 0);
    }

    private static JsonException Mismatch(JsonTypeInfo typeInfo, string path, string source, string why, long? line, long? position) =>
        new($"A record from {source} does not match {typeInfo.Type.Name} at {path}: {why}.", path, line, position);
}
