using System;

namespace SailSocket.SocketIo;

/// <summary>An ack or the namespace connect did not arrive within its bound.</summary>
/// <remarks>For an emit, the server may still process it; a late ack is ignored.</remarks>
public sealed class SocketIoTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A description for people.</param>
    public SocketIoTimeoutException(string message)
        : base(message)
    {
    }
}
