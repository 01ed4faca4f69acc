namespace SailSocket.Engine;

/// <summary>Why an Engine.IO connection could not be opened, or why it ended.</summary>
public enum EngineConnectionError
{
    /// <summary>The server could not be reached (DNS, refused TCP connection, TLS failure).</summary>
    Unreachable,

    /// <summary>The server answered the handshake with an HTTP error instead of switching protocols.</summary>
    HandshakeRefused,

    /// <summary>The server accepted the WebSocket but did not speak Engine.IO (no valid open packet).</summary>
    NotEngineIo,

    /// <summary>The server closed the connection (close packet or WebSocket close).</summary>
    ClosedByServer,

    /// <summary>The connection broke (reset, aborted, I/O error).</summary>
    TransportError,

    /// <summary>The server stopped heartbeating: no ping within pingInterval + pingTimeout.</summary>
    PingTimeout,

    /// <summary>The server sent data that breaks the protocol; see the inner <see cref="EngineProtocolException"/>.</summary>
    ProtocolError,

    /// <summary>A received message exceeded <see cref="EngineOptions.MaxMessageSize"/>.</summary>
    MessageTooLarge,

    /// <summary>This client closed or disposed the connection.</summary>
    ClosedByClient,
}
