using System;

namespace SailSocket;

/// <summary>The socket could not connect, is not connected, or lost its connection while a request waited for its response.</summary>
/// <remarks>
/// When <see cref="RequestMayHaveBeenProcessed"/> is <see langword="true"/> the request was sent before the connection
/// dropped: the server may or may not have processed it, so do not blindly retry a request that is not idempotent.
/// The inner exception holds the Engine.IO or Socket.IO cause.
/// </remarks>
public class SailsConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A description for people.</param>
    /// <param name="innerException">The cause, if any.</param>
    /// <param name="httpStatusCode">The HTTP status of a refused handshake, if any.</param>
    /// <param name="requestMayHaveBeenProcessed">Whether the failed request had already been sent.</param>
    /// <param name="serverMessage">What the server said when it refused the handshake, if anything.</param>
    public SailsConnectionException(string message, Exception? innerException = null, int? httpStatusCode = null, bool requestMayHaveBeenProcessed = false, string? serverMessage = null)
        : base(message, innerException)
    {
        HttpStatusCode = httpStatusCode;
        RequestMayHaveBeenProcessed = requestMayHaveBeenProcessed;
        ServerMessage = serverMessage;
    }

    /// <summary>
    /// The body of a refused handshake (for example the reason a <c>beforeConnect</c> gave, or <c>Bad request</c> from an
    /// origin check); <see langword="null"/> when the server gave none or the failure was not a refusal.
    /// </summary>
    public string? ServerMessage { get; }

    /// <summary>The HTTP status with which the server refused the handshake; <see langword="null"/> otherwise.</summary>
    public int? HttpStatusCode { get; }

    /// <summary>Whether the request had been sent when the connection dropped, so the server may have processed it.</summary>
    public bool RequestMayHaveBeenProcessed { get; }
}
