using System;
using System.Buffers;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace SailSocket.Testing.Protocol;

/// <summary>
/// Writes what a Sails server sends, one Engine.IO packet per WebSocket text message (docs/protocol.md §2.5): pure
/// functions into an <see cref="IBufferWriter{T}"/>, no I/O. The client's own codecs are internal to its assemblies, so
/// the server side is written here; the grammar is the one captured from a real server.
/// </summary>
internal static class ServerPacketWriter
{
    private static readonly JsonEncodedText s_sid = JsonEncodedText.Encode("sid");
    private static readonly JsonEncodedText s_upgrades = JsonEncodedText.Encode("upgrades");
    private static readonly JsonEncodedText s_pingInterval = JsonEncodedText.Encode("pingInterval");
    private static readonly JsonEncodedText s_pingTimeout = JsonEncodedText.Encode("pingTimeout");
    private static readonly JsonEncodedText s_maxPayload = JsonEncodedText.Encode("maxPayload");
    private static readonly JsonEncodedText s_body = JsonEncodedText.Encode("body");
    private static readonly JsonEncodedText s_headers = JsonEncodedText.Encode("headers");
    private static readonly JsonEncodedText s_statusCode = JsonEncodedText.Encode("statusCode");
    private static readonly JsonEncodedText s_message = JsonEncodedText.Encode("message");

    /// <summary>
    /// The open packet (protocol.md §2.3): <c>0{"sid":…,"upgrades":[…],"pingInterval":ms,"pingTimeout":ms,"maxPayload":n}</c>.
    /// </summary>
    public static void WriteOpen(IBufferWriter<byte> output, string sid, bool offerWebSocketUpgrade, TimeSpan pingInterval, TimeSpan pingTimeout, long maxPayload)
    {
        WriteAscii(output, "0");
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString(s_sid, sid);
        json.WriteStartArray(s_upgrades);
        if (offerWebSocketUpgrade)
        {
            json.WriteStringValue("websocket");
        }

        json.WriteEndArray();
        json.WriteNumber(s_pingInterval, (long)pingInterval.TotalMilliseconds);
        json.WriteNumber(s_pingTimeout, (long)pingTimeout.TotalMilliseconds);
        json.WriteNumber(s_maxPayload, maxPayload);
        json.WriteEndObject();
    }

    /// <summary>
    /// The CONNECT of the main namespace (protocol.md §3.3): <c>40</c> on protocol 4 (EIO3), <c>40{"sid":"…"}</c> on 5.
    /// </summary>
    public static void WriteConnect(IBufferWriter<byte> output, string? socketId)
    {
        WriteAscii(output, "40");
        if (socketId is null)
        {
            return;
        }

        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString(s_sid, socketId);
        json.WriteEndObject();
    }

    /// <summary>The answer to a CONNECT for a namespace Sails does not define (§3.4): <c>44/nsp,{"message":"Invalid namespace"}</c>.</summary>
    public static void WriteInvalidNamespace(IBufferWriter<byte> output, string ns)
    {
        WriteAscii(output, "44");
        WriteUtf8(output, ns);
        WriteAscii(output, ",");
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString(s_message, "Invalid namespace");
        json.WriteEndObject();
    }

    /// <summary>A server event without ack (§3.5): <c>42["event",data]</c>; <paramref name="data"/> is one JSON value.</summary>
    public static void WriteEvent(IBufferWriter<byte> output, string eventName, ReadOnlySpan<byte> data)
    {
        WriteAscii(output, "42");
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartArray();
        json.WriteStringValue(eventName);
        json.WriteRawValue(data, skipInputValidation: true);
        json.WriteEndArray();
    }

    /// <summary>
    /// A response (the JWR, §5.5): <c>43&lt;ackId&gt;[{"body":…,"headers":{…},"statusCode":n}]</c>; without a body the
    /// <c>body</c> key is left out, as Sails does for <c>OPTIONS</c>.
    /// </summary>
    public static void WriteResponse(IBufferWriter<byte> output, long ackId, int statusCode, IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body)
    {
        WriteAck(output, ackId);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartArray();
        json.WriteStartObject();
        if (!body.IsEmpty)
        {
            json.WritePropertyName(s_body);
            json.WriteRawValue(body, skipInputValidation: true);
        }

        json.WriteStartObject(s_headers);
        foreach (var (name, value) in headers)
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
        json.WriteNumber(s_statusCode, statusCode);
        json.WriteEndObject();
        json.WriteEndArray();
    }

    /// <summary>
    /// The answer to an envelope Sails cannot read (§5.3): the parse-error object as the only ack argument,
    /// <c>43&lt;ackId&gt;[{"code":"SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ",…,"details":"…"}]</c>.
    /// </summary>
    public static void WriteParseError(IBufferWriter<byte> output, long ackId, string details)
    {
        WriteAck(output, ackId);
        using var json = new Utf8JsonWriter(output);
        json.WriteStartArray();
        json.WriteStartObject();
        json.WriteString("code", "SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ");
        json.WriteString("name", "Error (SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ):");
        json.WriteNumber("status", 400);
        json.WriteString(s_message, "Failed to parse incoming socket.io request.");
        json.WriteString("details", details);
        json.WriteEndObject();
        json.WriteEndArray();
    }

    /// <summary>A one-character Engine.IO packet or a fixed Socket.IO packet: <c>2</c>, <c>3</c>, <c>41</c>, <c>6</c>.</summary>
    public static void WriteAscii(IBufferWriter<byte> output, string ascii)
    {
        var span = output.GetSpan(ascii.Length);
        for (var i = 0; i < ascii.Length; i++)
        {
            span[i] = (byte)ascii[i];
        }

        output.Advance(ascii.Length);
    }

    private static void WriteAck(IBufferWriter<byte> output, long ackId)
    {
        WriteAscii(output, "43");
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(ackId, span, out var written);
        output.Advance(written);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, string text)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        Encoding.UTF8.GetBytes(text, output.GetSpan(count));
        output.Advance(count);
    }
}
