using System;

namespace SailSocket;

/// <summary>The arguments of <see cref="SailsSocket.Disconnected"/>.</summary>
public sealed class SailsDisconnectedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="reason">Why the socket disconnected.</param>
    /// <param name="exception">The error behind it.</param>
    public SailsDisconnectedEventArgs(SailsDisconnectReason reason, Exception exception)
    {
        Reason = reason;
        Exception = exception;
    }

    /// <summary>Why the socket disconnected.</summary>
    public SailsDisconnectReason Reason { get; }

    /// <summary>The error behind it, with the lower-layer cause as its inner exception.</summary>
    public Exception Exception { get; }
}
