namespace SailSocket.Engine.Protocol;

/// <summary>An Engine.IO protocol revision, as sent in the <c>EIO</c> query parameter (docs/protocol.md §2.1, §2.10).</summary>
/// <remarks>The server pairs them rigidly with Socket.IO: revision 3 carries Socket.IO protocol 4, revision 4 protocol 5.</remarks>
public enum EngineRevision
{
    /// <summary>Revision 3 (socket.io 2.x servers, and socket.io 3/4 servers with <c>allowEIO3</c>, which Sails sets).</summary>
    V3 = 3,

    /// <summary>Revision 4 (socket.io 3.x and 4.x servers).</summary>
    V4 = 4,
}
