using System;

namespace SailSocket.SocketIo;

/// <summary>
/// A packet to emit is larger than the server accepts (the Engine.IO open packet's <c>maxPayload</c>), counting its
/// binary attachments each on its own.
/// </summary>
/// <remarks>Nothing was sent and the client is still connected: the server would have closed the connection.</remarks>
public sealed class SocketIoMessageTooLargeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="size">The size of the refused message, in bytes.</param>
    /// <param name="limit">The server's limit, in bytes.</param>
    /// <param name="innerException">The Engine.IO error behind it, if any.</param>
    public SocketIoMessageTooLargeException(long size, long limit, Exception? innerException = null)
        : base($"The packet is {size} bytes; the server accepts at most {limit} bytes (maxPayload). Nothing was sent.", innerException)
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The size of the refused message (the packet, or one of its attachments), in bytes.</summary>
    public long Size { get; }

    /// <summary>The server's limit, in bytes.</summary>
    public long Limit { get; }
}
