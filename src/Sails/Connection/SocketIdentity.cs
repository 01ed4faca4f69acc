using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Protocol;

namespace SailSocket.Connection;

/// <summary>
/// Who one socket is to the server: its URL, handshake query and headers, default request headers, cookie store and
/// handshake callback — its <see cref="SailsSocketOptions"/> over the client's defaults, resolved and checked once.
/// Tuning (timeouts, transports, revision, reconnection, limits) is client-wide and read from <see cref="SailsClientOptions"/>.
/// </summary>
/// <remarks>Immutable. Sockets created without options share the client's one instance.</remarks>
internal sealed class SocketIdentity
{
    private SocketIdentity(
        Uri url,
        IReadOnlyList<Uri>? nodes,
        IReadOnlyList<KeyValuePair<string, string>> query,
        IReadOnlyList<KeyValuePair<string, string>> initialConnectionHeaders,
        Dictionary<string, string> headers,
        bool noSession,
        CookieContainer? cookies,
        Func<SailsHandshake, CancellationToken, ValueTask>? configureHandshake)
    {
        Url = url;
        Nodes = nodes;
        Query = query;
        InitialConnectionHeaders = initialConnectionHeaders;
        Headers = headers;
        NoSession = noSession;
        Cookies = cookies;
        ConfigureHandshake = configureHandshake;
    }

    /// <summary>The socket's own node: the URL it was given, or the first of <see cref="SailsClientOptions.Urls"/>.</summary>
    public Uri Url { get; }

    /// <summary>
    /// The nodes the socket may connect to: <see cref="Url"/> first, then the other <see cref="SailsClientOptions.Urls"/> in
    /// order; <see langword="null"/> without <see cref="SailsClientOptions.Urls"/> (no list per socket: <see cref="Url"/> alone).
    /// </summary>
    public IReadOnlyList<Uri>? Nodes { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Query { get; }

    public IReadOnlyList<KeyValuePair<string, string>> InitialConnectionHeaders { get; }

    /// <summary>The default request headers: the client's, then the socket's (which win by name); case-insensitive.</summary>
    public Dictionary<string, string> Headers { get; }

    public bool NoSession { get; }

    /// <summary>The socket's own cookie store, or <see langword="null"/> for the client's.</summary>
    public CookieContainer? Cookies { get; }

    public Func<SailsHandshake, CancellationToken, ValueTask>? ConfigureHandshake { get; }

    /// <summary>Resolves a socket's identity.</summary>
    /// <param name="client">The client's defaults.</param>
    /// <param name="socket">The socket's own settings, or <see langword="null"/>.</param>
    /// <param name="urlParameter">The parameter name to blame when there is no URL.</param>
    /// <param name="cluster">The nodes to fail over to when <see cref="SailsClientOptions.Urls"/> is not set (a fleet's nodes), or <see langword="null"/>.</param>
    /// <returns>The identity.</returns>
    /// <exception cref="ArgumentException">No URL is configured, or a setting is invalid.</exception>
    public static SocketIdentity Resolve(SailsClientOptions client, SailsSocketOptions? socket, string urlParameter, IReadOnlyList<Uri>? cluster = null)
    {
        var url = socket?.Url ?? client.Url ?? (client.Urls is [var first, ..] ? first : null)
            ?? throw new ArgumentException("No server URL: set SailsClientOptions.Url or Urls, or pass a URL (or SailsSocketOptions.Url) to ConnectAsync.", urlParameter);
        SailsSocketOptions.CheckUrl(url, socket?.Url is null ? nameof(SailsClientOptions.Url) : nameof(SailsSocketOptions.Url));
        IReadOnlyList<Uri>? nodes = null;
        if ((client.Urls ?? cluster) is { } clusterNodes)
        {
            var list = new List<Uri>(clusterNodes.Count + 1) { url };
            foreach (var node in clusterNodes)
            {
                if (!list.Contains(node))
                {
                    list.Add(node);
                }
            }

            nodes = list.ToArray();
        }

        var initialHeaders = socket?.InitialConnectionHeaders ?? client.InitialConnectionHeaders;
        SailsRequestValidation.CheckHeaders(initialHeaders);

        // Copied once into a concrete, case-insensitive dictionary: merged into every request without allocating.
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in client.Headers)
        {
            headers[name] = value;
        }

        if (socket?.Headers is { } own)
        {
            SailsRequestValidation.CheckHeaders(own);
            foreach (var (name, value) in own)
            {
                headers[name] = value;
            }
        }

        return new SocketIdentity(
            url,
            nodes,
            socket?.Query ?? client.Query,
            initialHeaders,
            headers,
            socket?.NoSession ?? client.NoSession,
            socket?.Cookies,
            socket?.ConfigureHandshake ?? client.ConfigureHandshake);
    }
}
