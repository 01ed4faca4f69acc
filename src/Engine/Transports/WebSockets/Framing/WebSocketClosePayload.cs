using System;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text.Unicode;

namespace SailSocket.Engine.Transports.WebSockets.Framing;

/// <summary>The payload of a close frame (RFC 6455 §5.5.1): nothing, or a two-byte status code and a UTF-8 reason.</summary>
internal static class WebSocketClosePayload
{
    /// <summary>The longest reason that fits a control frame beside the status code.</summary>
    public const int MaxReasonLength = WebSocketFrameReader.MaxControlPayloadLength - 2;

    /// <summary>Reads a received close payload.</summary>
    /// <param name="payload">The payload (at most 125 bytes).</param>
    /// <param name="status">The status code; <see langword="null"/> for an empty payload.</param>
    /// <param name="reason">The reason's bytes (valid UTF-8), possibly empty.</param>
    /// <exception cref="EngineProtocolException">One byte, a status code that may not be sent (§7.4), or a reason that is not UTF-8.</exception>
    public static void Read(ReadOnlySpan<byte> payload, out WebSocketCloseStatus? status, out ReadOnlySpan<byte> reason)
    {
        status = null;
        reason = default;
        if (payload.IsEmpty)
        {
            return;
        }

        if (payload.Length == 1)
        {
            throw new EngineProtocolException("A WebSocket close frame has a one-byte payload; a status code takes two (RFC 6455 §5.5.1).", 0);
        }

        var code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!IsValidStatus(code))
        {
            throw new EngineProtocolException($"A WebSocket close frame carries the status code {code}, which may not be sent (RFC 6455 §7.4).", 0);
        }

        reason = payload.Slice(2);
        if (!Utf8.IsValid(reason))
        {
            throw new EngineProtocolException("A WebSocket close frame's reason is not valid UTF-8 (RFC 6455 §5.5.1).", 2);
        }

        status = (WebSocketCloseStatus)code;
    }

    /// <summary>
    /// Whether an endpoint may send <paramref name="code"/> in a close frame: 1000–1003 and 1007–1011 (§7.4.1), 1012–1014
    /// (registered with IANA since; the BCL accepts them, and proxies send 1012/1013 on restarts), 3000–4999 (§7.4.2). Never
    /// 1004–1006, 1015 (reserved) nor anything else below 3000 or above 4999.
    /// </summary>
    public static bool IsValidStatus(int code) =>
        code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);

    /// <summary>Writes a close payload (status code, then <paramref name="reason"/>) into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, WebSocketCloseStatus status, ReadOnlySpan<byte> reason)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)status);
        reason.CopyTo(destination.Slice(2));
        return 2 + reason.Length;
    }
}
