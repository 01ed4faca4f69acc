using System;
using System.Net.Http;

namespace SailSocket.Engine.Transports;

/// <summary>
/// The HTTP handlers the Engine creates when <see cref="EngineOptions.HttpInvoker"/> shares none: redirects never
/// followed (a 3xx handshake is refused), the response-header limit, and the options' certificate validation
/// (<see cref="EngineOptions.RemoteCertificateValidationCallback"/>) — so that the callback applies to every engine and
/// transport, not only the managed WebSocket engine.
/// </summary>
internal static class OwnedHttpHandler
{
    /// <summary>What a handler is for; each use keeps its connection pool as it needs.</summary>
    public enum Use
    {
        /// <summary>Long-polling: connections pooled for the polling requests, cookies kept when no jar is given.</summary>
        Polling,

        /// <summary>A <c>ClientWebSocket</c> upgrade: no connection pooled after it.</summary>
        WebSocket,

        /// <summary>One request to read a refused handshake's body.</summary>
        Refusal,
    }

    /// <summary>Creates the handler for <paramref name="use"/> with <paramref name="options"/>' cookies and validation; the caller disposes it.</summary>
    public static HttpMessageInvoker Create(EngineOptions options, Use use) =>
        Create(use, useCookies: use == Use.Polling && options.Cookies is null, options.RemoteCertificateValidationCallback);

    /// <summary>Creates the handler for <paramref name="use"/>; <paramref name="validate"/> <see langword="null"/> keeps the system's validation.</summary>
    public static HttpMessageInvoker Create(Use use, bool useCookies, System.Net.Security.RemoteCertificateValidationCallback? validate)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = useCookies,
            AllowAutoRedirect = false,
            MaxResponseHeadersLength = EngineCookies.MaxResponseHeadersKiB,
        };
        if (use == Use.Polling)
        {
            handler.PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30);
        }
        else if (use == Use.WebSocket)
        {
            handler.PooledConnectionLifetime = TimeSpan.Zero;
        }

        if (validate is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = validate;
        }

        return new HttpMessageInvoker(handler);
    }
}
