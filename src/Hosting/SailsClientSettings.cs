using System;
using System.Collections.Generic;

namespace SailSocket.Extensions.Hosting;

/// <summary>
/// The configuration of one Sails client, bound from a configuration section (by convention <c>Sails</c>) and validated
/// when the host starts. Mapped once to <see cref="SailsClientOptions"/>; see docs/hosting.md for the schema.
/// </summary>
public sealed class SailsClientSettings
{
    /// <summary>The Sails server, an absolute http, https, ws or wss URL. Required unless every socket has its own <see cref="SailsSocketSettings.Url"/>.</summary>
    public string? Url { get; set; }

    /// <summary>
    /// The nodes of a cluster for failover (<see cref="SailsClientOptions.Urls"/>, docs/cluster.md): absolute http, https,
    /// ws or wss URLs without user info. Default none (the socket's own URL only).
    /// </summary>
    public List<string> Urls { get; } = [];

    /// <summary>The Socket.IO path on the server. Default <c>/socket.io/</c>.</summary>
    public string Path { get; set; } = "/socket.io/";

    /// <summary>The transports: <c>WebSocket</c> (the default), <c>Polling</c> or <c>PollingThenUpgrade</c> (case-insensitive).</summary>
    public string Transports { get; set; } = "WebSocket";

    /// <summary>
    /// What carries the WebSocket transport (<see cref="SailsClientOptions.WebSocketEngine"/>): <c>Managed</c> (the
    /// default: SailSocket's own upgrade, framing and write coalescing) or <c>ClientWebSocket</c>; case-insensitive.
    /// </summary>
    public string WebSocketEngine { get; set; } = "Managed";

    /// <summary>
    /// Whether each socket's managed WebSocket reads on a thread of its own (<see cref="SailsClientOptions.ReceiveThread"/>):
    /// the lowest CPU per request for a few busy sockets. Default <see langword="false"/>.
    /// </summary>
    public bool ReceiveThread { get; set; }

    /// <summary>
    /// How long a node that failed is tried last (<see cref="SailsClientOptions.FailedNodeRetryDelay"/>, with
    /// <see cref="Urls"/>). Default 30 s; must not be negative.
    /// </summary>
    public TimeSpan FailedNodeRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The bound on one connect. Default 20 s; must be positive.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The default bound on one request. Default 30 s; must be positive.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the host's start waits until every socket is connected and subscribed. Default <see langword="false"/>:
    /// a server that is down does not stop the application from starting; the health check reports it meanwhile.
    /// </summary>
    public bool WaitForConnectOnStart { get; set; }

    /// <summary>Headers sent with every request (for example an authorization token). Default none.</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reconnection after a lost connection; on by default in a host.</summary>
    public SailsReconnectionSettings Reconnection { get; set; } = new();

    /// <summary>The named sockets the host keeps connected, by name.</summary>
    public Dictionary<string, SailsSocketSettings> Sockets { get; } = new(StringComparer.OrdinalIgnoreCase);
}
