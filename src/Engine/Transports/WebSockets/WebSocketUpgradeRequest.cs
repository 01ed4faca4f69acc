using System;
using System.Buffers;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>
/// Writes the HTTP/1.1 upgrade request of a WebSocket handshake (RFC 6455 §4.1) and computes the
/// <c>Sec-WebSocket-Accept</c> the server must answer with. Pure: bytes in, bytes out.
/// </summary>
internal static class WebSocketUpgradeRequest
{
    /// <summary>The GUID RFC 6455 §1.3 appends to the key before hashing.</summary>
    private static ReadOnlySpan<byte> AcceptGuid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    /// <summary>Length of a base64 <c>Sec-WebSocket-Key</c> (16 random bytes) and of a base64 SHA-1 accept value.</summary>
    internal const int KeyLength = 24;
    internal const int AcceptLength = 28;

    /// <summary>Headers this writer owns: a user's value for one of them is not sent (the handshake would break).</summary>
    private static readonly string[] s_owned = ["Connection", "Upgrade", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Content-Length", "Transfer-Encoding"];

    /// <summary>A new random <c>Sec-WebSocket-Key</c>: base64 of 16 random bytes (RFC 6455 §4.1 item 7).</summary>
    public static string NewKey()
    {
        Span<byte> nonce = stackalloc byte[16];
        RandomNumberGenerator.Fill(nonce);
        return Convert.ToBase64String(nonce);
    }

    /// <summary>Writes the accept value expected for <paramref name="key"/> (ASCII, <see cref="AcceptLength"/> bytes) into <paramref name="destination"/>.</summary>
    public static void ComputeAccept(string key, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[KeyLength + 36];
        var length = Encoding.ASCII.GetBytes(key, input);
        AcceptGuid.CopyTo(input[length..]);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for the accept value: a checksum of the handshake, not a security measure.
        SHA1.HashData(input[..(length + AcceptGuid.Length)], hash);
#pragma warning restore CA5350
        System.Buffers.Text.Base64.EncodeToUtf8(hash, destination, out _, out _);
    }

    /// <summary>
    /// Writes <c>GET path?query HTTP/1.1</c>, <c>Host</c>, the upgrade headers, the caller's headers (validated by
    /// <see cref="HeaderValidation"/>; those this writer owns are skipped) and <c>Cookie</c>, then the empty line.
    /// </summary>
    /// <param name="writer">Receives the request.</param>
    /// <param name="uri">The <c>ws</c>/<c>wss</c> handshake URL; its path and query are already escaped (ASCII).</param>
    /// <param name="key">The <c>Sec-WebSocket-Key</c>.</param>
    /// <param name="headers">Extra headers; a <c>Cookie</c> among them is left out (it is part of <paramref name="cookie"/>).</param>
    /// <param name="cookie">The merged <c>Cookie</c> header, or <see langword="null"/>.</param>
    public static void Write(IBufferWriter<byte> writer, Uri uri, string key, IReadOnlyList<KeyValuePair<string, string>> headers, string? cookie)
    {
        Ascii(writer, "GET ");
        Ascii(writer, uri.PathAndQuery);
        Ascii(writer, " HTTP/1.1\r\n");
        var hostSet = false;
        foreach (var (name, _) in headers)
        {
            hostSet |= string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase);
        }

        if (!hostSet)
        {
            Ascii(writer, "Host: ");
            Ascii(writer, uri.HostNameType == UriHostNameType.Dns ? uri.IdnHost : uri.Host);
            if (!uri.IsDefaultPort)
            {
                Ascii(writer, ":");
                Span<byte> digits = stackalloc byte[11];
                uri.Port.TryFormat(digits, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
                writer.Write(digits[..written]);
            }

            Ascii(writer, "\r\n");
        }

        Ascii(writer, "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ");
        Ascii(writer, key);
        Ascii(writer, "\r\n");
        foreach (var (name, value) in headers)
        {
            if (IsOwned(name) || string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            HeaderValidation.ThrowIfInvalid(name, value);
            Ascii(writer, name);
            Ascii(writer, ": ");
            Ascii(writer, value);
            Ascii(writer, "\r\n");
        }

        if (cookie is not null)
        {
            HeaderValidation.ThrowIfInvalid("Cookie", cookie);
            Ascii(writer, "Cookie: ");
            Ascii(writer, cookie);
            Ascii(writer, "\r\n");
        }

        Ascii(writer, "\r\n");
    }

    private static bool IsOwned(string name)
    {
        foreach (var owned in s_owned)
        {
            if (string.Equals(name, owned, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes ASCII text (validated by the caller or escaped by <see cref="Uri"/>).</summary>
    private static void Ascii(IBufferWriter<byte> writer, string text)
    {
        var span = writer.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        writer.Advance(written);
    }
}
