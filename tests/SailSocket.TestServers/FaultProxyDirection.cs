using System;

namespace SailSocket.TestServers;

/// <summary>Which way through a <see cref="FaultProxy"/> a fault applies to.</summary>
[Flags]
public enum FaultProxyDirection
{
    /// <summary>Bytes the client sends to the server (requests, pongs).</summary>
    ClientToServer = 1,

    /// <summary>Bytes the server sends to the client (responses, events, pings).</summary>
    ServerToClient = 2,

    /// <summary>Both ways.</summary>
    Both = ClientToServer | ServerToClient,
}
