using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SailSocket.Engine.Protocol;

/// <summary>Reads the JSON of an Engine.IO open packet. Pure: no I/O.</summary>
/// <remarks>
/// Grammar (docs/protocol.md §2.3): <c>{"sid":string,"upgrades":[string…],"pingInterval":ms,"pingTimeout":ms,"maxPayload":bytes}</c>.
/// Fields are matched by name in any order; unknown fields are skipped.
/// </remarks>
internal static class EngineHandshakeReader
{
    /// <summary>The longest pingInterval or pingTimeout accepted: a timer's longest wait (~24.8 days, int.MaxValue ms).</summary>
    private const long MaxInterval = int.MaxValue;

    private static readonly JsonEncodedText s_sid = JsonEncodedText.Encode("sid");
    private static readonly JsonEncodedText s_upgrades = JsonEncodedText.Encode("upgrades");
    private static readonly JsonEncodedText s_pingInterval = JsonEncodedText.Encode("pingInterval");
    private static readonly JsonEncodedText s_pingTimeout = JsonEncodedText.Encode("pingTimeout");
    private static readonly JsonEncodedText s_maxPayload = JsonEncodedText.Encode("maxPayload");

    /// <summary>Parses the data of an open packet (the JSON after the <c>0</c> type digit).</summary>
    /// <param name="json">The UTF-8 JSON object.</param>
    /// <returns>The handshake.</returns>
    /// <exception cref="EngineProtocolException">The JSON is malformed, or <c>sid</c>, <c>pingInterval</c> or <c>pingTimeout</c> is missing or invalid.</exception>
    public static EngineHandshake Read(ReadOnlySpan<byte> json)
    {
        string? sid = null;
        List<string>? upgrades = null;
        long pingInterval = -1;
        long pingTimeout = -1;
        long maxPayload = 0;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new EngineProtocolException("The open packet is not a JSON object.", 1);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(s_sid.EncodedUtf8Bytes))
                {
                    reader.Read();
                    sid = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals(s_upgrades.EncodedUtf8Bytes))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            if (reader.TokenType == JsonTokenType.String)
                            {
                                (upgrades ??= []).Add(reader.GetString()!);
                            }
                            else
                            {
                                reader.Skip();
                            }
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals(s_pingInterval.EncodedUtf8Bytes))
                {
                    pingInterval = ReadMilliseconds(ref reader, MaxInterval);
                }
                else if (reader.ValueTextEquals(s_pingTimeout.EncodedUtf8Bytes))
                {
                    pingTimeout = ReadMilliseconds(ref reader, MaxInterval);
                }
                else if (reader.ValueTextEquals(s_maxPayload.EncodedUtf8Bytes))
                {
                    maxPayload = ReadMilliseconds(ref reader, long.MaxValue);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new EngineProtocolException($"The open packet is not valid JSON: {ex.Message}", 1 + (int)reader.BytesConsumed, ex);
        }

        if (string.IsNullOrEmpty(sid))
        {
            throw new EngineProtocolException("The open packet has no \"sid\".", 1);
        }

        if (pingInterval <= 0 || pingTimeout <= 0)
        {
            throw new EngineProtocolException("The open packet has no valid \"pingInterval\" and \"pingTimeout\".", 1);
        }

        // No list for none (a WebSocket session's handshake): the connection keeps the handshake for its life.
        return new EngineHandshake(sid, (IReadOnlyList<string>?)upgrades ?? Array.Empty<string>(), TimeSpan.FromMilliseconds(pingInterval), TimeSpan.FromMilliseconds(pingTimeout), maxPayload);
    }

    private static long ReadMilliseconds(ref Utf8JsonReader reader, long max)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 0 || value > max)
        {
            throw new EngineProtocolException($"A numeric field of the open packet is not an integer between 0 and {max}.", 1 + (int)reader.TokenStartIndex);
        }

        return value;
    }
}
