using System;
using System.Text.Json;

namespace SailSocket.SocketIo.Protocol;

/// <summary>Reads the JSON arrays that events and acks carry. Pure.</summary>
internal static class SocketIoJsonArray
{
    /// <summary>Reads the event name: the first element, which must be a string.</summary>
    /// <param name="array">The event's JSON array.</param>
    /// <returns>The name.</returns>
    /// <exception cref="SocketIoProtocolException">The array is malformed or its first element is not a string.</exception>
    public static string ReadEventName(ReadOnlySpan<byte> array)
    {
        var reader = new Utf8JsonReader(array);
        try
        {
            if (reader.Read() && reader.TokenType == JsonTokenType.StartArray && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString()!;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new SocketIoProtocolException($"The event payload is not valid JSON: {ex.Message}", reader.BytesConsumed, ex);
        }

        throw new SocketIoProtocolException("An event's first element must be its name, a string.", reader.TokenStartIndex);
    }

    /// <summary>Gets the raw JSON of element <paramref name="index"/> of a JSON array.</summary>
    /// <param name="array">The UTF-8 JSON array.</param>
    /// <param name="index">The element index, from 0.</param>
    /// <returns>The element's JSON, or empty when the array is shorter.</returns>
    /// <exception cref="SocketIoProtocolException">The input is not a valid JSON array.</exception>
    public static ReadOnlyMemory<byte> GetElement(ReadOnlyMemory<byte> array, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var reader = new Utf8JsonReader(array.Span);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new SocketIoProtocolException("Expected a JSON array.", 0);
            }

            for (var i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (i == index)
                {
                    return array[start..(int)reader.BytesConsumed];
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new SocketIoProtocolException($"The payload is not valid JSON: {ex.Message}", reader.BytesConsumed, ex);
        }

        return ReadOnlyMemory<byte>.Empty;
    }
}
