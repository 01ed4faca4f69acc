using System;

namespace SailSocket;

/// <summary>The server answered with something that is not a Sails response (a malformed JSON WebSocket Response).</summary>
public sealed class SailsProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong, with the byte offset.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public SailsProtocolException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
