using System;

namespace SailSocket.SocketIo;

/// <summary>The server sent a Socket.IO packet that breaks the protocol.</summary>
/// <remarks>The connection that received it is closed; other connections are not affected.</remarks>
public sealed class SocketIoProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="offset">The byte offset in the packet where decoding failed.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public SocketIoProtocolException(string message, long offset, Exception? innerException = null)
        : base($"{message} (at byte offset {offset})", innerException)
    {
        Offset = offset;
    }

    /// <summary>The byte offset in the packet where decoding failed.</summary>
    public long Offset { get; }
}
