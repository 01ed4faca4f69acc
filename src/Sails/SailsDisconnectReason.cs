namespace SailSocket;

/// <summary>Why a socket stopped being connected (the <c>disconnect</c> reasons of socket.io-client).</summary>
public enum SailsDisconnectReason
{
    /// <summary>This client disconnected or disposed the socket (<c>io client disconnect</c>).</summary>
    ClientDisconnect,

    /// <summary>The server disconnected the socket, e.g. <c>socket.disconnect(true)</c> (<c>io server disconnect</c>).</summary>
    ServerDisconnect,

    /// <summary>The connection closed or broke (<c>transport close</c>), e.g. the server went away.</summary>
    TransportClose,

    /// <summary>The server stopped heartbeating (<c>ping timeout</c>).</summary>
    PingTimeout,

    /// <summary>The server sent data that breaks the protocol; the connection was closed.</summary>
    ProtocolError,
}
