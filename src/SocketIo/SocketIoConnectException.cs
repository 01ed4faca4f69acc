using System;

namespace SailSocket.SocketIo;

/// <summary>
/// The server refused to connect this client to a namespace (a CONNECT_ERROR packet, docs/protocol.md §3.4): a middleware
/// called <c>next(err)</c>, or the namespace does not exist. The connection and other namespaces on it are unaffected.
/// </summary>
public sealed class SocketIoConnectException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="serverMessage">The server's reason, as it sent it.</param>
    public SocketIoConnectException(string ns, string serverMessage)
        : this(ns, serverMessage, default)
    {
    }

    /// <summary>Creates the exception with the server's extra data.</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="serverMessage">The server's reason, as it sent it.</param>
    /// <param name="data">The UTF-8 JSON of the error's <c>data</c>, or empty when it had none.</param>
    public SocketIoConnectException(string ns, string serverMessage, ReadOnlyMemory<byte> data)
        : base($"The server refused the connection to namespace '{ns}': {serverMessage}")
    {
        Namespace = ns;
        ServerMessage = serverMessage;
        ServerData = data;
    }

    /// <summary>The namespace that was refused.</summary>
    public string Namespace { get; }

    /// <summary>The server's reason.</summary>
    public string ServerMessage { get; }

    /// <summary>
    /// The UTF-8 JSON the server attached to the refusal, or empty when it attached none. Protocol 5: the <c>data</c> of
    /// the middleware's <c>Error</c> (<c>{"message":…,"data":…}</c>). Protocol 4: a socket.io 4.x server sends
    /// <c>err.data</c> itself as the whole payload when there is one, so an object payload is taken as the data.
    /// </summary>
    public ReadOnlyMemory<byte> ServerData { get; }
}
