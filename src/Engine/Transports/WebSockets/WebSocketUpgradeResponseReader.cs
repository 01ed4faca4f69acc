using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>
/// Reads the head of the HTTP/1.1 answer to a WebSocket upgrade (RFC 9112 §2–§5, RFC 6455 §4.2.2), as strictly as the
/// BCL's handler: one status line, <c>name: value</c> lines ended by CRLF, a blank line; no folded lines, no control
/// bytes, no head over <see cref="MaxHeadLength"/>. Pure: a span in, a <see cref="WebSocketUpgradeResponse"/> out.
/// </summary>
/// <remarks>Malformed input throws <see cref="EngineProtocolException"/> naming the offset; an incomplete head returns <see langword="false"/>.</remarks>
internal static class WebSocketUpgradeResponseReader
{
    /// <summary>The most bytes a head may take: the bound SocketsHttpHandler is given (docs/reliability.md, 64 KiB).</summary>
    internal const int MaxHeadLength = EngineCookies.MaxResponseHeadersKiB * 1024;

    /// <summary>Reads a head if <paramref name="buffer"/> holds a whole one.</summary>
    /// <param name="buffer">The bytes received so far, from the first byte of the answer.</param>
    /// <param name="response">The head read.</param>
    /// <returns><see langword="false"/> when the blank line has not arrived yet (and the bound is not reached).</returns>
    /// <exception cref="EngineProtocolException">The head is malformed, or longer than <see cref="MaxHeadLength"/>.</exception>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out WebSocketUpgradeResponse response)
    {
        response = default;
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (buffer.Length > MaxHeadLength)
            {
                throw new EngineProtocolException($"The upgrade response head is longer than {EngineCookies.MaxResponseHeadersKiB} KiB ({MaxHeadLength} bytes, the response header bound of docs/reliability.md).", MaxHeadLength);
            }

            // A head can only be malformed early: fail on a bad status line without waiting for the rest.
            if (buffer.Length >= 12)
            {
                ReadStatus(buffer);
            }

            return false;
        }

        var headLength = end + 4;
        if (headLength > MaxHeadLength)
        {
            throw new EngineProtocolException($"The upgrade response head is longer than {EngineCookies.MaxResponseHeadersKiB} KiB ({MaxHeadLength} bytes, the response header bound of docs/reliability.md).", MaxHeadLength);
        }

        var status = ReadStatus(buffer);
        var lineStart = buffer.IndexOf("\r\n"u8) + 2;
        long contentLength = -1;
        bool upgrade = false, connection = false, extensions = false, protocol = false, chunked = false;
        int acceptStart = -1, acceptLength = 0, locationStart = -1, locationLength = 0;
        while (lineStart < end + 2)
        {
            var lineLength = buffer[lineStart..].IndexOf("\r\n"u8);
            var line = buffer.Slice(lineStart, lineLength);
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw new EngineProtocolException(colon == 0 ? "An upgrade response header has an empty name." : "An upgrade response header line has no ':' (folded lines are not accepted).", lineStart);
            }

            var name = line[..colon];
            for (var i = 0; i < name.Length; i++)
            {
                if (!IsTokenByte(name[i]))
                {
                    throw new EngineProtocolException($"An upgrade response header name holds the byte 0x{name[i]:X2}.", lineStart + i);
                }
            }

            var valueStart = colon + 1;
            for (var i = valueStart; i < line.Length; i++)
            {
                var b = line[i];
                if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
                {
                    throw new EngineProtocolException($"An upgrade response header value holds the control byte 0x{b:X2}.", lineStart + i);
                }
            }

            var (trimStart, trimLength) = Trim(line, valueStart);
            var value = line.Slice(trimStart, trimLength);
            if (Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
            {
                upgrade = Ascii.EqualsIgnoreCase(value, "websocket"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                connection |= HasToken(value, "upgrade"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Accept"u8))
            {
                if (acceptStart >= 0)
                {
                    throw new EngineProtocolException("The upgrade response has two Sec-WebSocket-Accept headers.", lineStart);
                }

                acceptStart = lineStart + trimStart;
                acceptLength = trimLength;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Extensions"u8))
            {
                extensions |= trimLength > 0;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Protocol"u8))
            {
                protocol |= trimLength > 0;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Location"u8))
            {
                locationStart = lineStart + trimStart;
                locationLength = trimLength;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!TryReadLength(value, out var length) || (contentLength >= 0 && contentLength != length))
                {
                    throw new EngineProtocolException("The upgrade response has an invalid or repeated Content-Length.", lineStart);
                }

                contentLength = length;
            }

            lineStart += lineLength + 2;
        }

        response = new WebSocketUpgradeResponse(status, headLength, contentLength, upgrade, connection, acceptStart, acceptLength, extensions, protocol, locationStart, locationLength, chunked);
        return true;
    }

    /// <summary>The values of every header named <paramref name="name"/> in a head read by <see cref="TryRead"/> (Latin-1 text).</summary>
    public static List<string> GetValues(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name)
    {
        var values = new List<string>();
        var lineStart = head.IndexOf("\r\n"u8) + 2;
        while (lineStart < head.Length - 2)
        {
            var lineLength = head[lineStart..].IndexOf("\r\n"u8);
            if (lineLength <= 0)
            {
                break;
            }

            var line = head.Slice(lineStart, lineLength);
            var colon = line.IndexOf((byte)':');
            if (colon > 0 && Ascii.EqualsIgnoreCase(line[..colon], name))
            {
                var (start, length) = Trim(line, colon + 1);
                values.Add(Encoding.Latin1.GetString(line.Slice(start, length)));
            }

            lineStart += lineLength + 2;
        }

        return values;
    }

    /// <summary><c>HTTP/1.x SP 3DIGIT SP reason</c> (RFC 9112 §4); the reason is not kept.</summary>
    private static int ReadStatus(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < 12 || !buffer.StartsWith("HTTP/1."u8) || (buffer[7] != (byte)'1' && buffer[7] != (byte)'0'))
        {
            throw new EngineProtocolException("The upgrade response does not start with an HTTP/1.0 or HTTP/1.1 status line.", 0);
        }

        if (buffer[8] != (byte)' ' || !IsDigit(buffer[9]) || !IsDigit(buffer[10]) || !IsDigit(buffer[11]) || buffer[9] == (byte)'0')
        {
            throw new EngineProtocolException("The upgrade response status line has no valid three-digit status.", 8);
        }

        if (buffer.Length > 12 && buffer[12] != (byte)' ' && buffer[12] != (byte)'\r')
        {
            throw new EngineProtocolException($"The upgrade response status is followed by the byte 0x{buffer[12]:X2}.", 12);
        }

        var lineEnd = buffer.IndexOf("\r\n"u8);
        // An incomplete line may end with the CR of its CRLF.
        var scanEnd = lineEnd >= 0 ? lineEnd : buffer[^1] == (byte)'\r' ? buffer.Length - 1 : buffer.Length;
        for (var i = 12; i < scanEnd; i++)
        {
            if ((buffer[i] < 0x20 && buffer[i] != (byte)'\t') || buffer[i] == 0x7F)
            {
                throw new EngineProtocolException($"The upgrade response status line holds the control byte 0x{buffer[i]:X2}.", i);
            }
        }

        return ((buffer[9] - '0') * 100) + ((buffer[10] - '0') * 10) + (buffer[11] - '0');
    }

    private static bool TryReadLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty || value.Length > 18)
        {
            return false;
        }

        foreach (var b in value)
        {
            if (!IsDigit(b))
            {
                return false;
            }

            length = (length * 10) + (b - '0');
        }

        return true;
    }

    /// <summary>Whether a comma-separated list holds <paramref name="token"/> (case-insensitive).</summary>
    private static bool HasToken(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        while (!list.IsEmpty)
        {
            var comma = list.IndexOf((byte)',');
            var item = comma < 0 ? list : list[..comma];
            if (Ascii.EqualsIgnoreCase(item.Trim(" \t"u8), token))
            {
                return true;
            }

            list = comma < 0 ? default : list[(comma + 1)..];
        }

        return false;
    }

    /// <summary>The value of a header line from <paramref name="start"/> without its optional white space (RFC 9110 §5.5).</summary>
    private static (int Start, int Length) Trim(ReadOnlySpan<byte> line, int start)
    {
        var end = line.Length;
        while (start < end && line[start] is (byte)' ' or (byte)'\t')
        {
            start++;
        }

        while (end > start && line[end - 1] is (byte)' ' or (byte)'\t')
        {
            end--;
        }

        return (start, end - start);
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    /// <summary>RFC 9110 §5.6.2 tchar.</summary>
    private static bool IsTokenByte(byte b) =>
        b is > 0x20 and < 0x7F && "\"(),/:;<=>?@[\\]{}"u8.IndexOf(b) < 0;

    /// <summary>For <see cref="CultureInfo"/>-free formatting of the status in messages.</summary>
    internal static string Format(int status) => status.ToString(CultureInfo.InvariantCulture);
}
