using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Internal;
using SailSocket.Protocol;

namespace SailSocket.Connection;

/// <summary>
/// The plain HTTP requests a Sails client makes beside its sockets, through the client's shared handler: the CSRF token
/// (<c>GET /csrfToken</c>) and the cookie route (sails.io.js <c>useCORSRouteToGetCookie</c>). Each carries and keeps the
/// cookies of the store it is given, as a browser would.
/// </summary>
/// <remarks>
/// Bounded whatever the server sends: the cookie route's body is never read (headers only, then the response is disposed),
/// and the CSRF answer is read up to <see cref="MaxCsrfBodyLength"/> bytes. Redirects are not followed (the client's
/// handler has <see cref="SocketsHttpHandler.AllowAutoRedirect"/> off).
/// </remarks>
internal sealed class SailsHttp(HttpClient http, string cookieRoute)
{
    /// <summary>
    /// The bound on the body of a <c>GET /csrfToken</c> answer: 64 KiB (a token answer is about 50 bytes). A larger answer
    /// fails with <see cref="SailsConnectionException"/> naming the bound; nothing beyond it is read.
    /// </summary>
    internal const int MaxCsrfBodyLength = 64 * 1024;

    /// <summary>Fetches a CSRF token for the session in <paramref name="cookies"/> (or <paramref name="cookie"/>).</summary>
    /// <exception cref="SailsConnectionException">The request failed, the answer holds no token, or its body is larger than
    /// <see cref="MaxCsrfBodyLength"/> bytes.</exception>
    public async Task<string> GetCsrfTokenAsync(Uri server, string? cookie, CookieContainer cookies, CancellationToken cancellationToken) =>
        (await GetCsrfTokenWithSessionAsync(server, cookie, cookies, cancellationToken).ConfigureAwait(false)).Token;

    /// <summary>
    /// Fetches a CSRF token, and the <c>Cookie</c> header of the session it belongs to: the cookies this request sent, with
    /// those its answer set in their place. <paramref name="cookies"/> may be shared by sockets fetching at the same time,
    /// each starting a session of its own; a handshake that sends this header joins the session its token was made for,
    /// whichever answer reached the store last.
    /// </summary>
    /// <exception cref="SailsConnectionException">As <see cref="GetCsrfTokenAsync"/>.</exception>
    public async Task<(string Token, string? SessionCookie)> GetCsrfTokenWithSessionAsync(Uri server, string? cookie, CookieContainer cookies, CancellationToken cancellationToken)
    {
        var uri = new Uri(HttpBase(server), "/csrfToken");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        IReadOnlyList<KeyValuePair<string, string>> explicitCookie = [];
        if (!string.IsNullOrEmpty(cookie))
        {
            explicitCookie = [new("Cookie", cookie)];
            SailsRequestValidation.CheckHeaders(explicitCookie);
        }

        var sent = cookies.GetCookies(uri);
        if (EngineCookies.BuildHeader(explicitCookie, cookies, uri) is { } header)
        {
            request.Headers.TryAddWithoutValidation("Cookie", header);
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            EngineCookies.Store(cookies, uri, response);
            var session = SessionCookie(uri, sent, response);
            if (!response.IsSuccessStatusCode)
            {
                throw new SailsConnectionException($"GET /csrfToken answered HTTP {(int)response.StatusCode}: is CSRF protection on (config/security.js)?", httpStatusCode: (int)response.StatusCode);
            }

            var body = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("_csrf", out var token) && token.GetString() is { Length: > 0 } value
                ? (value, session)
                : throw new SailsConnectionException("GET /csrfToken answered without a \"_csrf\" token.");
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The server's origin only: the configured URL's query or user info may hold a credential.
            throw new SailsConnectionException($"Could not fetch a CSRF token from {SafeDescription.Origin(HttpBase(server))}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The <c>Cookie</c> header of the session an answer belongs to: the cookies it set (validated and bounded as the
    /// store does, <see cref="EngineCookies.Store(CookieContainer, Uri, IEnumerable{string})"/>) before the ones the
    /// request sent (<paramref name="sent"/>, a snapshot of the store) that it did not replace.
    /// </summary>
    private static string? SessionCookie(Uri uri, CookieCollection sent, HttpResponseMessage response)
    {
        var answered = new CookieContainer();
        EngineCookies.Store(answered, uri, response);
        var set = EngineCookies.BuildHeader([], answered, uri);
        var before = new CookieContainer();
        before.Add(sent);
        return EngineCookies.BuildHeader(set is null ? [] : [new("Cookie", set)], before, uri);
    }

    /// <summary>
    /// Visits the cookie route with the socket's stored cookies and stores what it sets in <paramref name="cookies"/>; the
    /// handshake then sends it from there. Only the headers are read: the body, whatever its size, is not.
    /// </summary>
    public async Task FetchSessionCookieAsync(Uri server, CookieContainer cookies, CancellationToken cancellationToken)
    {
        var uri = new Uri(HttpBase(server), cookieRoute);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (EngineCookies.BuildHeader([], cookies, uri) is { } header)
        {
            request.Headers.TryAddWithoutValidation("Cookie", header);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        EngineCookies.Store(cookies, uri, response);
    }

    /// <summary>Reads a body of at most <see cref="MaxCsrfBodyLength"/> bytes; one byte more fails, nothing further is read.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is > MaxCsrfBodyLength)
        {
            throw TooLarge();
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxCsrfBodyLength + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            return length > MaxCsrfBodyLength ? throw TooLarge() : buffer.AsMemory(0, length);
        }
    }

    private static SailsConnectionException TooLarge() =>
        new($"GET /csrfToken answered with a body larger than {MaxCsrfBodyLength / 1024} KiB (the bound on a CSRF token answer); it was not read.");

    private static Uri HttpBase(Uri server) =>
        new UriBuilder(server.Scheme is "wss" or "https" ? "https" : "http", server.Host, server.Port).Uri;
}
