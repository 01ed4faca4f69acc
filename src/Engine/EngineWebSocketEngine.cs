namespace SailSocket.Engine;

/// <summary>What opens and carries the WebSocket transport (<see cref="EngineOptions.WebSocketEngine"/>).</summary>
public enum EngineWebSocketEngine
{
    /// <summary>
    /// <see cref="System.Net.WebSockets.ClientWebSocket"/> through <see cref="EngineOptions.HttpInvoker"/>: its proxy, TLS
    /// settings and connection handling apply. Each message is its own write to the network.
    /// </summary>
    ClientWebSocket = 0,

    /// <summary>
    /// SailSocket's own HTTP/1.1 upgrade over a TCP socket (and <see cref="System.Net.Security.SslStream"/> for
    /// <c>wss</c>, validated by the system's rules or <see cref="EngineOptions.RemoteCertificateValidationCallback"/>), with SailSocket's own RFC 6455 framing on top (as
    /// strict as the BCL's: a server frame that breaks the protocol ends the connection with
    /// <see cref="EngineConnectionError.ProtocolError"/>): messages queued for one socket leave in one network write, and an
    /// idle socket holds no HTTP buffers. It does not go through
    /// <see cref="EngineOptions.HttpInvoker"/>: when the system proxy (<see cref="System.Net.Http.HttpClient.DefaultProxy"/>)
    /// applies to the URL it uses <see cref="ClientWebSocket"/> instead; a proxy set only on the invoker's handler is not
    /// seen (choose <see cref="ClientWebSocket"/> for that).
    /// </summary>
    Managed = 1,
}
