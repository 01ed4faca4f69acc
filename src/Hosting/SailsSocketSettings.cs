using System;
using System.Collections.Generic;

namespace SailSocket.Extensions.Hosting;

/// <summary>One named socket of <see cref="SailsClientSettings.Sockets"/>: kept connected by the host, its subscriptions replayed after every reconnect.</summary>
public sealed class SailsSocketSettings
{
    /// <summary>The server of this socket; the client's <see cref="SailsClientSettings.Url"/> when <see langword="null"/> (the default).</summary>
    public string? Url { get; set; }

    /// <summary>Query parameters of the handshake (never logged). Default none.</summary>
    public Dictionary<string, string> Query { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Paths subscribed with a <c>GET</c> once connected and again after every reconnect (<see cref="SailsSocket.SubscribeAsync"/>),
    /// for example <c>/pet</c> for blueprint pubsub. Each must start with <c>/</c>. Default none.
    /// </summary>
    public List<string> Subscriptions { get; } = [];
}
