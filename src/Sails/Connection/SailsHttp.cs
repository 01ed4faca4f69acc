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
internal sealed class SailsHttp(HttpClient http, string cookieRoute)
{
    /// <summary>Fetches a CSRF token for the session in <paramref name="cookies"/> (or <paramref name="cookie"/>).</summary>
    /// <exception cref="SailsConnectionException">The request failed, or the answer holds no token.</exception>
    public async Task<string> GetCsrfTokenAsync(Uri server, string? cookie, CookieContainer cookies, CancellationToken cancellationToken)
    {
        var uri = new Uri(HttpBase(server), "/csrfToken");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        IReadOnlyList<KeyValuePair<string, string>> explicitCookie = [];
        if (!string.IsNullOrEmpty(cookie))
        {
            explicitCookie = [new("Cookie", cookie)];
            SailsRequestValidation.CheckHeaders(explicitCookie);
        }

        if (EngineCookies.BuildHeader(explicitCookie, cookies, uri) is { } header)
        {
            request.Headers.TryAddWithoutValidation("Cookie", header);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            EngineCookies.Store(cookies, uri, response);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new SailsConnectionException($"GET /csrfToken answered HTTP {(int)response.StatusCode}: is CSRF protection on (config/security.js)?", httpStatusCode: (int)response.StatusCode);
            }

            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("_csrf", out var token) && token.GetString() is { Length: > 0 } value
                ? value
                : throw new SailsConnectionException("GET /csrfToken answered without a \"_csrf\" token.");
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The server's origin only: the configured URL's query or user info may hold a credential.
            throw new SailsConnectionException($"Could not fetch a CSRF token from {SafeDescription.Origin(HttpBase(server))}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Visits the cookie route with the socket's stored cookies and stores what it sets in <paramref name="cookies"/>; the
    /// handshake then sends it from there.
    /// </summary>
    public async Task FetchSessionCookieAsync(Uri server, CookieContainer cookies, CancellationToken cancellationToken)
    {
        var uri = new Uri(HttpBase(server), cookieRoute);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (EngineCookies.BuildHeader([], cookies, uri) is { } header)
        {
            request.Headers.TryAddWithoutValidation("Cookie", header);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        EngineCookies.Store(cookies, uri, response);
    }

    private static Uri HttpBase(Uri server) =>
        new UriBuilder(server.Scheme is "wss" or "https" ? "https" : "http", server.Host, server.Port).Uri;
}
