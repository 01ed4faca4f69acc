using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket;

/// <summary>
/// Who one socket is to the server, for <see cref="SailsClient.ConnectAsync(SailsSocketOptions, CancellationToken)"/> and
/// <see cref="SailsClient.CreateSocket"/> (the options argument of <c>io.sails.connect(url, options)</c>): its URL,
/// handshake query and headers, default request headers, cookie store and handshake callback. Every
/// <see langword="null"/> property takes the client's value from <see cref="SailsClientOptions"/>.
/// </summary>
/// <remarks>
/// Tuning — timeouts, transports, revision, reconnection, limits — is client-wide (<see cref="SailsClientOptions"/>):
/// sockets that need different tuning belong to another <see cref="SailsClient"/>.
/// </remarks>
public sealed class SailsSocketOptions
{
    /// <summary>The Sails server. Default: <see cref="SailsClientOptions.Url"/>.</summary>
    public Uri? Url { get; init; }

    /// <summary>Extra handshake query parameters. Default: <see cref="SailsClientOptions.Query"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Query { get; init; }

    /// <summary>HTTP headers on the handshake (e.g. this socket's <c>Cookie</c>). Default: <see cref="SailsClientOptions.InitialConnectionHeaders"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? InitialConnectionHeaders { get; init; }

    /// <summary>
    /// Default request headers of this socket, added to the client's <see cref="SailsClientOptions.Headers"/> (a name set
    /// here wins over the client's). Default: none beyond the client's.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Sends the <c>nosession</c> handshake header. Default: <see cref="SailsClientOptions.NoSession"/>.</summary>
    public bool? NoSession { get; init; }

    /// <summary>
    /// This socket's own cookie store, instead of the one the client's sockets share (<see cref="SailsClient.Cookies"/>):
    /// pass a new <see cref="CookieContainer"/> for a socket with a session of its own, or one you keep to read and seed
    /// its cookies. Default: <see cref="SailsClient.Cookies"/>.
    /// </summary>
    public CookieContainer? Cookies { get; init; }

    /// <summary>Changes each attempt's handshake. Default: <see cref="SailsClientOptions.ConfigureHandshake"/>.</summary>
    public Func<SailsHandshake, CancellationToken, ValueTask>? ConfigureHandshake { get; init; }

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
