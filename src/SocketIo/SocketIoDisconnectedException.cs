using System;
using SailSocket.Engine;

namespace SailSocket.SocketIo;

/// <summary>The Socket.IO connection is closed, or closed while an operation (an emit waiting for its ack) was using it.</summary>
/// <remarks>
/// An emit that fails with this exception may or may not have been received and processed by the server: the packet
/// may have been sent before the connection dropped.
/// </remarks>
public sealed class SocketIoDisconnectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the connection ended.</param>
    /// <param name="message">A description for people.</param>
    /// <param name="innerException">The Engine.IO or protocol error behind it, if any.</param>
    /// <param name="afterSend">Whether the failed emit had been sent, so the server may have processed it.</param>
    public SocketIoDisconnectedException(SocketIoDisconnectReason reason, string message, Exception? innerException = null, bool afterSend = false)
        : base(message, innerException)
    {
        Reason = reason;
        AfterSend = afterSend;
    }

    /// <summary>Whether the failed emit had already been sent when the connection ended: the server may have processed it.</summary>
    public bool AfterSend { get; }

    /// <summary>Why the connection ended.</summary>
    public SocketIoDisconnectReason Reason { get; }

    /// <summary>The one mapping from why an Engine.IO connection ended to the Socket.IO reason.</summary>
    internal static SocketIoDisconnectReason ReasonOf(EngineConnectionError error) => error switch
    {
        EngineConnectionError.ClosedByClient => SocketIoDisconnectReason.ClientDisconnect,
        EngineConnectionError.PingTimeout => SocketIoDisconnectReason.PingTimeout,
        EngineConnectionError.ProtocolError or EngineConnectionError.MessageTooLarge => SocketIoDisconnectReason.ProtocolError,
        _ => SocketIoDisconnectReason.TransportClose,
    };
}
