using System;

namespace SailSocket.SocketIo;

/// <summary>The server refused to connect this client to a namespace (a CONNECT_ERROR packet, docs/protocol.md §3.4).</summary>
public sealed class SocketIoConnectException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="serverMessage">The server's reason, as it sent it.</param>
    public SocketIoConnectException(string ns, string serverMessage)
        : base($"The server refused the connection to namespace '{ns}': {serverMessage}")
    {
        Namespace = ns;
        ServerMessage = serverMessage;
    }

    /// <summary>The namespace that was refused.</summary>
    public string Namespace { get; }

    /// <summary>The server's reason.</summary>
    public string ServerMessage { get; }
}
