namespace SailSocket.SocketIo;

/// <summary>
/// Why a Socket.IO client is no longer connected: socket.io-client's <c>disconnect</c> reasons, with the Engine.IO cause
/// already mapped, so that a caller never needs to look at the inner exception.
/// </summary>
public enum SocketIoDisconnectReason
{
    /// <summary>This client disconnected or was disposed (socket.io: <c>io client disconnect</c>).</summary>
    ClientDisconnect,

    /// <summary>The server sent a DISCONNECT packet (socket.io: <c>io server disconnect</c>); do not reconnect automatically.</summary>
    ServerDisconnect,

    /// <summary>The Engine.IO connection closed or broke (socket.io: <c>transport close</c> / <c>transport error</c>).</summary>
    TransportClose,

    /// <summary>The server stopped heartbeating: the Engine.IO heartbeat timed out (socket.io: <c>ping timeout</c>).</summary>
    PingTimeout,

    /// <summary>
    /// The server broke the protocol: a packet that breaks Socket.IO or Engine.IO, or a message larger than
    /// <see cref="Engine.EngineOptions.MaxMessageSize"/> (socket.io: <c>parse error</c>).
    /// </summary>
    ProtocolError,
}
