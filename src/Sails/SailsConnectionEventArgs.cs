using System;

namespace SailSocket;

/// <summary>The arguments of the connection lifecycle events of <see cref="SailsSocket"/> (all but <see cref="SailsSocket.Disconnected"/>).</summary>
public sealed class SailsConnectionEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="attempt">The attempt number: 0 for a first connect, from 1 for reconnection attempts.</param>
    /// <param name="delay">The wait before the attempt (for <see cref="SailsSocket.Reconnecting"/>).</param>
    /// <param name="exception">The error (for <see cref="SailsSocket.ConnectError"/> and <see cref="SailsSocket.ReconnectFailed"/>).</param>
    public SailsConnectionEventArgs(int attempt, TimeSpan delay = default, Exception? exception = null)
    {
        Attempt = attempt;
        Delay = delay;
        Exception = exception;
    }

    /// <summary>The attempt number: 0 for a first connect, from 1 for reconnection attempts.</summary>
    public int Attempt { get; }

    /// <summary>The wait before the attempt.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The error, where there is one.</summary>
    public Exception? Exception { get; }
}
