using System;

namespace SailSocket.Engine;

/// <summary>A message to send is larger than the server accepts (the open packet's <c>maxPayload</c>).</summary>
/// <remarks>Nothing was sent and the connection is still open: the server would have closed it.</remarks>
public sealed class EngineMessageTooLargeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="size">The size of the message, in bytes.</param>
    /// <param name="limit">The server's limit, in bytes.</param>
    public EngineMessageTooLargeException(long size, long limit)
        : base($"The message is {size} bytes; the server accepts at most {limit} bytes (maxPayload). Nothing was sent.")
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The size of the refused message, in bytes.</summary>
    public long Size { get; }

    /// <summary>The server's limit, in bytes.</summary>
    public long Limit { get; }
}
