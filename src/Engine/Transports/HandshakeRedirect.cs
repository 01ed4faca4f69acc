using System;
using System.Globalization;

namespace SailSocket.Engine.Transports;

/// <summary>
/// A 3xx answer to a handshake (polling or WebSocket): never followed, as Socket.IO clients do not follow one; it is a
/// refused handshake. The message names the status and the origin of <c>Location</c> only: its path and query may hold a
/// secret (a token or a signed URL).
/// </summary>
internal static class HandshakeRedirect
{
    /// <summary>Whether <paramref name="status"/> is a redirect.</summary>
    public static bool Is(int status) => status is >= 300 and < 400;

    /// <summary>The refusal of a redirected handshake.</summary>
    /// <param name="transport">"polling" or "WebSocket".</param>
    /// <param name="where">The handshake URL without its query.</param>
    /// <param name="status">The 3xx status.</param>
    /// <param name="location">The <c>Location</c> header, or <see langword="null"/>.</param>
    /// <param name="requestUri">The handshake URL, to resolve a relative <c>Location</c>.</param>
    /// <param name="inner">What the transport threw, if anything.</param>
    public static EngineConnectionException Refusal(string transport, string where, int status, string? location, Uri requestUri, Exception? inner = null) =>
        new(
            EngineConnectionError.HandshakeRefused,
            $"The server answered the {transport} handshake at {where} with HTTP {status.ToString(CultureInfo.InvariantCulture)}, a redirect to {Origin(location, requestUri)}: redirects are not followed on the handshake (point Url at the server itself).",
            inner,
            status);

    /// <summary><c>scheme://host:port</c> of <paramref name="location"/>, nothing of its path, query or user info.</summary>
    internal static string Origin(string? location, Uri requestUri)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            return "(no Location header)";
        }

        // Resolved against the request (an absolute Location stays as it is; "/path" is not read as a Unix file path).
        if (!Uri.TryCreate(requestUri, location.Trim(), out var target))
        {
            return "(an unparsable Location)";
        }

        // A Location relative to a ws(s) URL resolves to ws(s); the server answered over HTTP either way.
        var scheme = target.Scheme switch { "ws" => "http", "wss" => "https", var other => other };
        return target.IsAbsoluteUri && !string.IsNullOrEmpty(target.Host)
            ? string.Create(CultureInfo.InvariantCulture, $"{scheme}://{target.Host}:{target.Port}")
            : "(a Location without a host)";
    }
}
