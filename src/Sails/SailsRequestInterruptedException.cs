using System;

namespace SailSocket;

/// <summary>
/// The connection dropped after the request was sent and before its response arrived: the server may or may not have
/// processed it. sails.io.js reports this as status 0; retry only what is safe to repeat.
/// </summary>
public sealed class SailsRequestInterruptedException : SailsConnectionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A description for people.</param>
    /// <param name="innerException">The cause.</param>
    public SailsRequestInterruptedException(string message, Exception? innerException = null)
        : base(message, innerException, httpStatusCode: null, requestMayHaveBeenProcessed: true)
    {
    }
}
