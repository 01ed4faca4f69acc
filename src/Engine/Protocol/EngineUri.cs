using System;
using System.Globalization;
using System.Text;

namespace SailSocket.Engine.Protocol;

/// <summary>Builds Engine.IO request URLs (docs/protocol.md §2.1). Pure.</summary>
internal static class EngineUri
{
    /// <summary>The Engine.IO revision this client asks for by default.</summary>
    public const string Revision = "4";

    /// <summary>
    /// Builds the revision-4 WebSocket handshake URL: <c>ws(s)://host:port/path/?&lt;query&gt;&amp;EIO=4&amp;transport=websocket</c>.
    /// </summary>
    /// <param name="options">The connection options; their URL's own path and query are ignored.</param>
    /// <returns>The URL.</returns>
    public static Uri BuildWebSocketUri(EngineOptions options) => Build(options, EngineRevision.V4, webSocket: true, sessionId: null);

    /// <summary>
    /// Builds a request URL: <c>&lt;scheme&gt;://host:port/path/?&lt;query&gt;&amp;EIO=&lt;n&gt;&amp;transport=&lt;t&gt;[&amp;b64=1][&amp;sid=&lt;sid&gt;]</c>.
    /// </summary>
    /// <param name="options">The connection options; their URL's own path and query are ignored.</param>
    /// <param name="revision">The Engine.IO revision. Revision 3 always gets <c>b64=1</c> so that binary arrives as base64 text,
    /// never in the octet-stream payload format (docs/protocol.md §2.4).</param>
    /// <param name="webSocket"><see langword="true"/> for <c>ws(s)</c> and <c>transport=websocket</c>, otherwise <c>http(s)</c> and <c>transport=polling</c>.</param>
    /// <param name="sessionId">The session id after the handshake (polling requests, upgrade), or <see langword="null"/>.</param>
    /// <returns>The URL.</returns>
    public static Uri Build(EngineOptions options, EngineRevision revision, bool webSocket, string? sessionId)
    {
        ArgumentNullException.ThrowIfNull(options);
        var secure = options.Url.Scheme is "https" or "wss";
        var scheme = webSocket ? (secure ? "wss" : "ws") : (secure ? "https" : "http");
        var path = options.Path.EndsWith('/') ? options.Path : options.Path + "/";
        var query = new StringBuilder();
        foreach (var (name, value) in options.Query)
        {
            query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        }

        query.Append("EIO=").Append(((int)revision).ToString(CultureInfo.InvariantCulture));
        query.Append(webSocket ? "&transport=websocket" : "&transport=polling");
        if (revision == EngineRevision.V3)
        {
            query.Append("&b64=1");
        }

        if (sessionId is not null)
        {
            query.Append("&sid=").Append(Uri.EscapeDataString(sessionId));
        }

        var builder = new UriBuilder(scheme, options.Url.Host, options.Url.Port, path) { Query = query.ToString() };
        return builder.Uri;
    }
}
