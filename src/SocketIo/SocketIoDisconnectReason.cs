namespace SailSocket.SocketIo;

/// <summary>Why a Socket.IO client is no longer connected.</summary>
public enum SocketIoDisconnectReason
{
    /// <summary>This client disconnected or was disposed (socket.io: <c>io client disconnect</c>).</summary>
    ClientDisconnect,

    /// <summary>The server sent a DISCONNECT packet (socket.io: <c>io server disconnect</c>); do not reconnect automatically.</summary>
    ServerDisconnect,

    /// <summary>The Engine.IO connection ended: closed, broken or heartbeat lost (socket.io: <c>transport close</c> / <c>ping timeout</c>).</summary>
    TransportClosed,

    /// <summary>The server sent a packet that breaks the Socket.IO protocol.</summary>
    ProtocolError,
}
