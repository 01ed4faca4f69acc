using System;

namespace SailSocket.SocketIo;

/// <summary>
/// An emit with ack was refused because <see cref="SocketIoNamespaceOptions.MaxPendingAcks"/> emits already wait for their
/// ack. Nothing was sent; the client stays connected, and the emit may be retried once acks have come back.
/// </summary>
public sealed class SocketIoAckLimitException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="limit">The limit that was reached.</param>
    public SocketIoAckLimitException(int limit)
        : base($"{limit} emits already wait for their ack (MaxPendingAcks); nothing was sent. Wait for acks, or raise the limit.")
    {
        Limit = limit;
    }

    /// <summary>The limit that was reached.</summary>
    public int Limit { get; }
}
