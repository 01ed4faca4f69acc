using System;
using System.Collections.Generic;

namespace SailSocket.Engine.Protocol;

/// <summary>The fields of the Engine.IO open packet (docs/protocol.md §2.3).</summary>
/// <param name="SessionId">The Engine.IO session id (<c>sid</c>).</param>
/// <param name="Upgrades">The transports this session may upgrade to.</param>
/// <param name="PingInterval">How often the server pings (revision 4).</param>
/// <param name="PingTimeout">How long the server waits for a pong (revision 4).</param>
/// <param name="MaxPayload">The largest message, in bytes, the server accepts; 0 when the server did not say.</param>
public sealed record EngineHandshake(
    string SessionId,
    IReadOnlyList<string> Upgrades,
    TimeSpan PingInterval,
    TimeSpan PingTimeout,
    long MaxPayload);
