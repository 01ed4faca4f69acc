using System;
using System.Collections.Generic;
using System.Threading;

namespace SailSocket;

/// <summary>
/// Per-socket settings for <see cref="SailsClient.ConnectAsync(SailsSocketOptions, System.Threading.CancellationToken)"/>
/// (the options argument of <c>io.sails.connect(url, options)</c>). Every <see langword="null"/> property takes the
/// client's value from <see cref="SailsClientOptions"/>.
/// </summary>
public sealed class SailsSocketOptions
{
    /// <summary>The Sails server. Default: <see cref="SailsClientOptions.Url"/>.</summary>
    public Uri? Url { get; init; }

    /// <summary>Extra handshake query parameters. Default: <see cref="SailsClientOptions.Query"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Query { get; init; }

    /// <summary>HTTP headers on the handshake (e.g. this socket's <c>Cookie</c>). Default: <see cref="SailsClientOptions.InitialConnectionHeaders"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? InitialConnectionHeaders { get; init; }

    /// <summary>Default request headers of this socket. Default: <see cref="SailsClientOptions.Headers"/>.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>The connect bound. Default: <see cref="SailsClientOptions.ConnectTimeout"/>.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>The response wait of each request. Default: <see cref="SailsClientOptions.RequestTimeout"/>.</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Which transports this socket uses. Default: <see cref="SailsClientOptions.Transports"/>.</summary>
    public SailSocket.Engine.EngineTransports? Transports { get; init; }

    /// <summary>Which Engine.IO revision this socket speaks. Default: <see cref="SailsClientOptions.Revision"/>.</summary>
    public SailSocket.Engine.EngineRevisionSelection? Revision { get; init; }

    /// <summary>Whether <see cref="SailsClient.CreateSocket"/> connects at once. Default: <see cref="SailsClientOptions.AutoConnect"/>.</summary>
    public bool? AutoConnect { get; init; }

    /// <summary>Automatic reconnection of this socket. Default: <see cref="SailsClientOptions.Reconnection"/>.</summary>
    public SailsReconnectionOptions? Reconnection { get; init; }

    /// <summary>Sends the <c>nosession</c> handshake header. Default: <see cref="SailsClientOptions.NoSession"/>.</summary>
    public bool? NoSession { get; init; }

    /// <summary>
    /// This socket's own cookie store, instead of the one the client's sockets share (<see cref="SailsClient.Cookies"/>):
    /// pass a new <see cref="System.Net.CookieContainer"/> for a socket with a session of its own, or one you keep to read
    /// and seed its cookies. Default: <see cref="SailsClient.Cookies"/>.
    /// </summary>
    public System.Net.CookieContainer? Cookies { get; init; }

    /// <summary>Changes each attempt's handshake. Default: <see cref="SailsClientOptions.ConfigureHandshake"/>.</summary>
    public Func<SailsHandshake, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask>? ConfigureHandshake { get; init; }

    /// <summary>Whether any property is set: a socket without overrides takes the client's settings as they are.</summary>
    internal bool HasOverrides =>
        Url is not null || Query is not null || InitialConnectionHeaders is not null || Headers is not null || ConnectTimeout is not null
        || RequestTimeout is not null || AutoConnect is not null || Reconnection is not null || NoSession is not null
        || ConfigureHandshake is not null || Transports is not null || Revision is not null || Cookies is not null;

    internal static void CheckUrl(Uri url, string name)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            throw new ArgumentException($"The server URL must be absolute, with scheme http, https, ws or wss; got {(url.IsAbsoluteUri ? $"scheme '{url.Scheme}'" : "a relative URL")}.", name);
        }
    }

    internal static void CheckRequestTimeout(TimeSpan timeout, string name)
    {
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, timeout, "A request timeout must be positive, or Timeout.InfiniteTimeSpan.");
        }
    }
}
