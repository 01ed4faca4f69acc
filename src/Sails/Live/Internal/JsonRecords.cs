using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;

namespace SailSocket.Live.Internal;

/// <summary>What the collection does with whole records: deep equality, merging an <c>updated</c> message's changes.</summary>
internal static class JsonRecords
{
    /// <summary>
    /// Deep equality: objects regardless of property order, arrays in order, numbers by value. (The BCL's
    /// <c>JsonElement.DeepEquals</c> arrived in .NET 9; this library targets .NET 8 too.)
    /// </summary>
    public static bool DeepEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in a.EnumerateObject())
                {
                    count++;
                    if (!b.TryGetProperty(property.Name, out var other) || !DeepEquals(property.Value, other))
                    {
                        return false;
                    }
                }

                foreach (var unused in b.EnumerateObject())
                {
                    count--;
                }

                return count == 0;
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }

                using (var left = a.EnumerateArray())
                using (var right = b.EnumerateArray())
                {
                    while (left.MoveNext() && right.MoveNext())
                    {
                        if (!DeepEquals(left.Current, right.Current))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case JsonValueKind.Number:
                return a.GetRawText() == b.GetRawText() || a.GetDouble() == b.GetDouble();
            case JsonValueKind.String:
                return a.ValueEquals(b.GetString());
            default:
                return true;
        }
    }

    /// <summary>
    /// The record after an <c>updated</c> message: <paramref name="record"/> with <paramref name="changes"/> laid over it.
    /// Returns <see langword="false"/> when the result cannot be known here: a change replaces a populated association
    /// (an object or array in the record) with a bare key, or the other way round — only the server can populate it.
    /// </summary>
    public static bool TryMerge(JsonElement record, JsonElement changes, out JsonElement merged)
    {
        merged = default;
        if (record.ValueKind != JsonValueKind.Object || changes.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var change in changes.EnumerateObject())
        {
            if (record.TryGetProperty(change.Name, out var current) && IsStructured(current) != IsStructured(change.Value))
            {
                return false;
            }
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in record.EnumerateObject())
            {
                if (!changes.TryGetProperty(property.Name, out _))
                {
                    property.WriteTo(writer);
                }
            }

            foreach (var change in changes.EnumerateObject())
            {
                change.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        merged = document.RootElement.Clone();
        return true;
    }

    /// <summary>The primary key's JSON text (<c>3</c>, <c>"a1"</c>): how records are told apart.</summary>
    public static string? KeyOf(JsonElement record, string primaryKey) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty(primaryKey, out var id) ? KeyOfId(id) : null;

    /// <summary>The key of an id value; <see langword="null"/> when it is not a number or a string.</summary>
    public static string? KeyOfId(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.Number => id.GetRawText(),
        JsonValueKind.String => id.GetRawText(),
        _ => null,
    };

    /// <summary>Parses a find's response body: an array of records.</summary>
    /// <exception cref="JsonException">The body is not an array of objects.</exception>
    public static List<JsonElement> ParseArray(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"A find returned a JSON {root.ValueKind}, not an array of records.");
        }

        var records = new List<JsonElement>(root.GetArrayLength());
        foreach (var record in root.EnumerateArray())
        {
            if (record.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException($"A find returned a JSON {record.ValueKind} where a record was expected.");
            }

            records.Add(record.Clone());
        }

        return records;
    }

    private static bool IsStructured(JsonElement value) => value.ValueKind is JsonValueKind.Object or JsonValueKind.Array;
}
