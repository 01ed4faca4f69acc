using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Connection;

namespace SailSocket;

/// <summary>
/// What one connection attempt sends with its handshake, handed to <see cref="SailsClientOptions.ConfigureHandshake"/>
/// before every attempt so that it can be changed: a token that expires is refreshed on reconnect.
/// </summary>
public sealed class SailsHandshake
{
    private readonly Dictionary<string, string> _configuredRequestHeaders;
    private readonly SailsHttp _http;
    private Dictionary<string, string>? _requestHeaders;

    internal SailsHandshake(Uri url, List<KeyValuePair<string, string>> headers, List<KeyValuePair<string, string>> query, int attempt, Dictionary<string, string> requestHeaders, CookieContainer cookies, SailsHttp http)
    {
        Url = url;
        Headers = headers;
        Query = query;
        Attempt = attempt;
        _configuredRequestHeaders = requestHeaders;
        Cookies = cookies;
        _http = http;
    }

    /// <summary>The server this attempt connects to.</summary>
    public Uri Url { get; }

    /// <summary>The HTTP headers of the handshake, starting with the configured initial connection headers.</summary>
    public IList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The query parameters of the handshake, starting with the configured ones (the SDK metadata is added after).</summary>
    public IList<KeyValuePair<string, string>> Query { get; }

    /// <summary>The Socket.IO CONNECT auth payload (a UTF-8 JSON object), visible to the app as <c>socket.handshake.auth</c>. Default empty.</summary>
    public ReadOnlyMemory<byte> Auth { get; set; }

    /// <summary>The attempt number: 0 for the first connect, then 1, 2, … for reconnection attempts.</summary>
    public int Attempt { get; }

    /// <summary>
    /// The default request headers of the connection this attempt makes (case-insensitive), starting with the configured
    /// <see cref="SailsClientOptions.Headers"/>. Set a header here — a CSRF token fetched for this handshake's session —
    /// and every request sent on the connection carries it, replayed subscriptions included.
    /// </summary>
    public IDictionary<string, string> RequestHeaders => _requestHeaders ??= new(_configuredRequestHeaders, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The cookie store the handshake sends cookies from and stores the server's cookies in: the socket's own
    /// (<see cref="SailsSocketOptions.Cookies"/>) or the client's (<see cref="SailsClient.Cookies"/>).
    /// </summary>
    public CookieContainer Cookies { get; }

    /// <summary>
    /// Fetches a CSRF token (<c>GET /csrfToken</c>) for the session this handshake is about to carry, and makes it the
    /// <c>x-csrf-token</c> header of <see cref="RequestHeaders"/>: every request of the connection carries it, replayed
    /// subscriptions included. Call it from <see cref="SailsClientOptions.ConfigureHandshake"/>, which runs before every
    /// attempt, so that the token matches the socket's session after a reconnect or a server restart too.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token.</returns>
    /// <remarks>
    /// The request carries the cookies of <see cref="Cookies"/>, and a session cookie the server sets lands there, so the
    /// handshake then sends the session the token belongs to.
    /// </remarks>
    /// <example>
    /// <code>
    /// var options = new SailsClientOptions
    /// {
    ///     Url = new Uri("http://localhost:1337"),
    ///     ConfigureHandshake = async (handshake, ct) => await handshake.AddCsrfTokenAsync(ct),
    /// };
    /// </code>
    /// </example>
    /// <exception cref="SailsConnectionException">The request failed, or the answer holds no token.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<string> AddCsrfTokenAsync(CancellationToken cancellationToken = default)
    {
        var (token, session) = await _http.GetCsrfTokenWithSessionAsync(Url, null, Cookies, cancellationToken).ConfigureAwait(false);
        RequestHeaders["x-csrf-token"] = token;

        // The store may be shared with sockets fetching at the same time (each starting its own session): the handshake
        // sends this token's session explicitly, unless the caller already set a Cookie header of its own.
        if (session is not null && !Headers.Any(static h => string.Equals(h.Key, "Cookie", StringComparison.OrdinalIgnoreCase)))
        {
            Headers.Add(new("Cookie", session!));
        }

        return token;
    }

    /// <summary>The request headers as changed by the callback (the configured ones, shared, when untouched).</summary>
    internal Dictionary<string, string> TakeRequestHeaders()
    {
        if (_requestHeaders is null)
        {
            return _configuredRequestHeaders;
        }

        Protocol.SailsRequestValidation.CheckHeaders(_requestHeaders);
        return _requestHeaders;
    }
}
