using System;

namespace SailSocket;

/// <summary>The arguments of <see cref="SailsSocket.HandlerException"/>: an event handler threw.</summary>
public sealed class SailsHandlerExceptionEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="socketEvent">The event being handled.</param>
    /// <param name="exception">What the handler threw.</param>
    public SailsHandlerExceptionEventArgs(SailsEvent socketEvent, Exception exception)
    {
        Event = socketEvent;
        Exception = exception;
    }

    /// <summary>The event being handled.</summary>
    public SailsEvent Event { get; }

    /// <summary>What the handler threw.</summary>
    public Exception Exception { get; }
}
