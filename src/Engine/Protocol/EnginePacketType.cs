namespace SailSocket.Engine.Protocol;

/// <summary>The Engine.IO packet types: the first character of every text packet.</summary>
/// <remarks>See docs/protocol.md §2.2. The numeric value is the ASCII digit minus '0'.</remarks>
internal enum EnginePacketType : byte
{
    /// <summary><c>0</c>: the open packet, carrying the handshake JSON (server to client).</summary>
    Open = 0,

    /// <summary><c>1</c>: close the session.</summary>
    Close = 1,

    /// <summary><c>2</c>: heartbeat ping (server to client on revision 4).</summary>
    Ping = 2,

    /// <summary><c>3</c>: heartbeat pong (client to server on revision 4).</summary>
    Pong = 3,

    /// <summary><c>4</c>: a message; its data is a Socket.IO packet.</summary>
    Message = 4,

    /// <summary><c>5</c>: completes a transport upgrade (client to server).</summary>
    Upgrade = 5,

    /// <summary><c>6</c>: no operation (server to client, used while upgrading).</summary>
    Noop = 6,
}
