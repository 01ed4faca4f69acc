using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;

// Shared source (src/Shared), compiled into each assembly that needs it as its own internal type, in a namespace of
// that assembly: no assembly sees another's internals, and a test assembly that sees all three finds no duplicate name.
#if SAILSOCKET_ENGINE
namespace SailSocket.Engine;
#elif SAILSOCKET_SOCKETIO
namespace SailSocket.SocketIo.Internal;
#elif SAILSOCKET_SAILS
namespace SailSocket.Internal;
#else
#error Define the assembly's SAILSOCKET_* constant (src/*/*.csproj).
#endif

/// <summary>
/// The cookie rules of <see cref="SailSocket.Engine.EngineOptions.Cookies"/>, applied per request by the Engine.IO
/// transports and by the Sails layer for its own HTTP requests: which <c>Cookie</c> header a request carries, and which
/// <c>Set-Cookie</c> answers are stored.
/// </summary>
/// <remarks>
/// Cookies are handled per request, not by the HTTP handler: one <see cref="SocketsHttpHandler"/> serves every socket of a
/// client (with <see cref="SocketsHttpHandler.UseCookies"/> off), and each connection brings its own container, so sockets
/// with different containers never see each other's cookies. <see cref="ClientWebSocket"/> refuses
/// <see cref="ClientWebSocketOptions.Cookies"/> together with a shared <see cref="HttpMessageInvoker"/>
/// (<see cref="ArgumentException"/>), so the WebSocket handshake gets an explicit header too, and its answer's
/// <c>Set-Cookie</c> is read from <see cref="ClientWebSocket.HttpResponseHeaders"/>.
/// </remarks>
internal static partial class EngineCookies
{
    internal const string CookieHeader = "Cookie";
    internal const string SetCookieHeader = "Set-Cookie";

    /// <summary>
    /// The bound on the response headers of every HTTP request the client makes (handshake, poll, upgrade, cookie route,
    /// CSRF), <c>Set-Cookie</c> included: 64 KiB, set as <see cref="SocketsHttpHandler.MaxResponseHeadersLength"/> (in KiB)
    /// on the handlers the client creates. A larger head fails the request (<see cref="HttpRequestException"/> with
    /// <see cref="HttpRequestError.ConfigurationLimitExceeded"/>).
    /// </summary>
    internal const int MaxResponseHeadersKiB = 64;

    /// <summary>
    /// The longest <c>Set-Cookie</c> value stored: 4,096 characters, name, value and attributes together (the size
    /// RFC 6265 §6.1 asks a user agent to support). A longer one is ignored, whatever the container would take.
    /// </summary>
    internal const int MaxSetCookieLength = 4096;

    /// <summary>
    /// The most cookies stored for the server: 50 (RFC 6265 §6.1's per-domain figure). <c>Set-Cookie</c> answers beyond
    /// the 50th of one response are ignored, and so is a new cookie once the container holds 50 for the server's URL
    /// (one that replaces a cookie it holds is still stored). With <see cref="MaxSetCookieLength"/>, at most about
    /// 200 KiB of cookies per container and server, whatever the container's own capacities.
    /// </summary>
    internal const int MaxCookies = 50;

    /// <summary>
    /// The <c>Cookie</c> header for a request to <paramref name="uri"/>: the user's <c>Cookie</c> headers first (joined with
    /// <c>"; "</c>), then the stored cookies that match the URL and whose names the user did not set.
    /// </summary>
    /// <param name="headers">The request's explicit headers; only <c>Cookie</c> entries matter (validated by the caller).</param>
    /// <param name="jar">The cookie store, or <see langword="null"/> for none.</param>
    /// <param name="uri">The request URL (http, https, ws or wss).</param>
    /// <returns>The header value, or <see langword="null"/> when there is no cookie to send.</returns>
    internal static string? BuildHeader(IReadOnlyList<KeyValuePair<string, string>> headers, CookieContainer? jar, Uri uri)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(uri);
        string? user = null;
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, CookieHeader, StringComparison.OrdinalIgnoreCase) && value.Length > 0)
            {
                user = user is null ? value : string.Concat(user, "; ", value);
            }
        }

        if (jar is null || jar.Count == 0)
        {
            return user;
        }

        var stored = jar.GetCookies(ToHttp(uri));
        if (stored.Count == 0)
        {
            return user;
        }

        var builder = new StringBuilder(user);
        foreach (Cookie cookie in stored)
        {
            if (!CanSend(cookie) || (user is not null && NamesCookie(user, cookie.Name)))
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append("; ");
            }

            builder.Append(cookie.Name).Append('=').Append(cookie.Value);
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    /// <summary>Sets the <c>Cookie</c> header of a request: the user's pairs merged with the stored ones (see <see cref="BuildHeader"/>).</summary>
    internal static void AddTo(HttpRequestMessage request, string? cookieHeader)
    {
        if (cookieHeader is not null)
        {
            request.Headers.TryAddWithoutValidation(CookieHeader, cookieHeader);
        }
    }

    /// <summary>Stores the <c>Set-Cookie</c> answers of an HTTP response to a request for <paramref name="uri"/>.</summary>
    /// <param name="jar">The cookie store, or <see langword="null"/> to store nothing.</param>
    /// <param name="uri">The request URL (http, https, ws or wss).</param>
    /// <param name="response">The response.</param>
    /// <remarks>A <c>Set-Cookie</c> with a control or non-ASCII character, a malformed one, or one for another host is ignored.</remarks>
    internal static void Store(CookieContainer? jar, Uri uri, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(response);
        if (jar is not null && response.Headers.TryGetValues(SetCookieHeader, out var values))
        {
            Store(jar, uri, values);
        }
    }

    /// <summary>
    /// Stores <c>Set-Cookie</c> values, each one on its own; one the server may not set is ignored, as a browser does,
    /// and so is one beyond the bounds (<see cref="MaxSetCookieLength"/>, <see cref="MaxCookies"/>).
    /// </summary>
    internal static void Store(CookieContainer jar, Uri uri, IEnumerable<string> setCookies)
    {
        Uri? http = null;
        var seen = 0;
        foreach (var value in setCookies)
        {
            if (++seen > MaxCookies)
            {
                return;
            }

            if (value.Length > MaxSetCookieLength || !IsPrintableAscii(value))
            {
                continue;
            }

            http ??= ToHttp(uri);
            if (jar.Count >= MaxCookies && !Replaces(jar, http, value))
            {
                continue;
            }

            try
            {
                jar.SetCookies(http, value);
            }
            catch (CookieException)
            {
                // A malformed cookie, or one for another domain (RFC 6265 §5.3 step 6): not stored.
            }
        }
    }

    /// <summary>
    /// Whether the container may take <paramref name="setCookie"/> without growing past <see cref="MaxCookies"/> for
    /// <paramref name="http"/>: it holds fewer, or it holds a cookie of that name already (a replacement).
    /// </summary>
    private static bool Replaces(CookieContainer jar, Uri http, string setCookie)
    {
        var held = jar.GetCookies(http);
        if (held.Count < MaxCookies)
        {
            return true;
        }

        var equals = setCookie.IndexOf('=', StringComparison.Ordinal);
        var name = (equals < 0 ? setCookie : setCookie[..equals]).Trim();
        return name.Length > 0 && held[name] is not null;
    }

    /// <summary>The http(s) form of a ws(s) URL: what <see cref="CookieContainer"/> matches <c>Secure</c> and paths against.</summary>
    internal static Uri ToHttp(Uri uri) => uri.Scheme switch
    {
        "ws" => new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp }.Uri,
        "wss" => new UriBuilder(uri) { Scheme = Uri.UriSchemeHttps }.Uri,
        _ => uri,
    };

    /// <summary>Whether a stored cookie can travel in a header: a token for a name, and no control, non-ASCII or <c>;</c> in the value.</summary>
    private static bool CanSend(Cookie cookie)
    {
        foreach (var c in cookie.Name)
        {
            if (c <= ' ' || c >= 0x7F || "\"(),/:;<=>?@[\\]{}".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        foreach (var c in cookie.Value)
        {
            if (c < ' ' || c >= 0x7F || c == ';')
            {
                return false;
            }
        }

        return cookie.Name.Length > 0;
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if ((c < ' ' && c != '\t') || c >= 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a <c>Cookie</c> header value holds a pair named <paramref name="name"/> (names are case-sensitive, RFC 6265 §5.4).</summary>
    private static bool NamesCookie(string header, string name)
    {
        var rest = header.AsSpan();
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(';');
            var pair = (end < 0 ? rest : rest[..end]).Trim();
            rest = end < 0 ? [] : rest[(end + 1)..];
            var equals = pair.IndexOf('=');
            if ((equals < 0 ? pair : pair[..equals]).Trim().SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }
}
