namespace SailSocket.Engine;

/// <summary>Which Engine.IO revision a connection asks for (<see cref="EngineOptions.Revision"/>).</summary>
public enum EngineRevisionSelection
{
    /// <summary>
    /// Revision 4 only (Socket.IO protocol 5): socket.io 3.x/4.x servers, Sails on sails-hook-sockets 3.x. The default.
    /// Over polling, a server that answers in revision 3 framing is refused (<see cref="EngineConnectionError.HandshakeRefused"/>).
    /// </summary>
    V4 = 0,

    /// <summary>Revision 3 only (Socket.IO protocol 4): socket.io 2.x servers, Sails on sails-hook-sockets 2.x.</summary>
    V3,

    /// <summary>
    /// Revision 4 first; revision 3 when the server refuses it or answers in revision 3. The answer is remembered per
    /// server (scheme, host, port and path) for the life of the process, so later connects ask for the right one at once.
    /// </summary>
    /// <remarks>
    /// "Refuses" means an HTTP error on the handshake or no valid open packet. Over polling a revision-3-only server
    /// (socket.io 2.x ignores <c>EIO</c>) is also recognised by its length-prefixed answer. Over a WebSocket such a server
    /// sends the same open packet for both revisions and cannot be told apart at connect time: choose
    /// <see cref="V3"/> for those servers, or let the first connect use polling.
    /// </remarks>
    Auto,
}
