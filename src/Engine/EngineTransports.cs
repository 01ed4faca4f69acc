namespace SailSocket.Engine;

/// <summary>Which transports a connection uses (<see cref="EngineOptions.Transports"/>), with the meaning sails.io.js gives them.</summary>
public enum EngineTransports
{
    /// <summary>
    /// A WebSocket from the start, no polling. The default, as in sails.io.js and the Sails server (which enables only
    /// <c>websocket</c> unless configured otherwise, docs/protocol.md §1).
    /// </summary>
    WebSocket = 0,

    /// <summary>HTTP long-polling only, never upgraded: for proxies that pass plain HTTP only.</summary>
    Polling,

    /// <summary>
    /// HTTP long-polling first, then an upgrade to WebSocket when the server offers it (docs/protocol.md §2.7); when the
    /// upgrade fails the connection simply stays on polling.
    /// </summary>
    PollingThenUpgrade,
}
