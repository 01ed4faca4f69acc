using System;
using System.Text;

namespace SailSocket.Engine.Protocol;

/// <summary>Builds Engine.IO handshake URLs (docs/protocol.md §2.1). Pure.</summary>
public static class EngineUri
{
    /// <summary>The Engine.IO revision this client speaks.</summary>
    public const string Revision = "4";

    /// <summary>
    /// Builds the WebSocket handshake URL: <c>ws(s)://host:port/path/?&lt;query&gt;&amp;EIO=4&amp;transport=websocket</c>.
    /// </summary>
    /// <param name="options">The connection options; their URL's own path and query are ignored.</param>
    /// <returns>The URL.</returns>
    public static Uri BuildWebSocketUri(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scheme = options.Url.Scheme is "https" or "wss" ? "wss" : "ws";
        var path = options.Path.EndsWith('/') ? options.Path : options.Path + "/";
        var query = new StringBuilder();
        foreach (var (name, value) in options.Query)
        {
            query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        }

        query.Append("EIO=" + Revision).Append("&transport=websocket");
        var builder = new UriBuilder(scheme, options.Url.Host, options.Url.Port, path) { Query = query.ToString() };
        return builder.Uri;
    }
}
