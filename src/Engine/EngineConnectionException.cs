using System;

namespace SailSocket.Engine;

/// <summary>An Engine.IO connection could not be opened, or it ended while an operation was using it.</summary>
public sealed class EngineConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">Why the connection failed or ended.</param>
    /// <param name="message">A description for people.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    /// <param name="httpStatusCode">The HTTP status of a refused handshake, if any.</param>
    public EngineConnectionException(EngineConnectionError error, string message, Exception? innerException = null, int? httpStatusCode = null)
        : base(message, innerException)
    {
        Error = error;
        HttpStatusCode = httpStatusCode;
    }

    /// <summary>Why the connection failed or ended.</summary>
    public EngineConnectionError Error { get; }

    /// <summary>The HTTP status code the server answered a refused handshake or polling request with; <see langword="null"/> otherwise.</summary>
    public int? HttpStatusCode { get; }

    /// <summary>
    /// The start (up to 1 KiB) of the body of a refused handshake or polling request, for example
    /// <c>{"code":0,"message":"Transport unknown"}</c> (docs/protocol.md §2.9); <see langword="null"/> when unknown.
    /// </summary>
    public string? HttpResponseBody { get; init; }

    /// <summary>
    /// Whether the message whose send failed may have reached the server before the failure: a polling POST whose request
    /// went out but whose answer was lost. <see langword="false"/> when the message certainly did not reach the server
    /// (the connection was already closed, the POST could not connect, or the message was queued behind a failed POST);
    /// a WebSocket send that fails leaves at most part of a frame, which the server never processes.
    /// </summary>
    public bool MayHaveBeenDelivered { get; init; }
}
