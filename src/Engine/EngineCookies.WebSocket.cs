using System;
using System.Net;
using System.Net.WebSockets;

namespace SailSocket.Engine;

/// <content>The WebSocket handshake's side of the cookie rules: Engine.IO only.</content>
internal static partial class EngineCookies
{
    /// <summary>Sets the <c>Cookie</c> header of a WebSocket handshake, replacing the user's (already part of the merged value).</summary>
    internal static void AddTo(ClientWebSocketOptions webSocket, EngineOptions options, Uri uri)
    {
        if (BuildHeader(options.Headers, options.Cookies, uri) is { } header)
        {
            webSocket.SetRequestHeader(CookieHeader, header);
        }
    }

    /// <summary>
    /// Stores the <c>Set-Cookie</c> answers of a WebSocket handshake, then drops the response headers the socket kept
    /// (<see cref="ClientWebSocketOptions.CollectHttpResponseDetails"/>): an open socket has no use for them.
    /// </summary>
    internal static void Store(CookieContainer? jar, Uri uri, ClientWebSocket webSocket)
    {
        if (jar is not null && webSocket.HttpResponseHeaders is { } headers)
        {
            foreach (var (name, values) in headers)
            {
                if (string.Equals(name, SetCookieHeader, StringComparison.OrdinalIgnoreCase))
                {
                    Store(jar, uri, values);
                }
            }
        }

        webSocket.HttpResponseHeaders = null;
    }
}
