using System;

namespace SailSocket;

/// <summary>Connecting, or waiting for a response, took longer than its bound.</summary>
/// <remarks>
/// A timed-out request may still be processed by the server (Sails never times out a request itself); its late response
/// is ignored. Cancellation by the caller is reported as <see cref="OperationCanceledException"/>, never as this.
/// </remarks>
public sealed class SailsTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A description for people.</param>
    /// <param name="innerException">The lower-layer timeout, if any.</param>
    public SailsTimeoutException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
