using System;

namespace SailSocket;

/// <summary>
/// A request was refused before anything was sent because one of the socket's bounds is full: the requests waiting to
/// be sent (<see cref="SailsClientOptions.MaxQueuedRequests"/>) or the requests waiting for their responses
/// (<see cref="SailsClientOptions.MaxPendingRequests"/>). The socket is unaffected; retrying later may succeed.
/// </summary>
public sealed class SailsLimitExceededException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A description for people.</param>
    /// <param name="optionName">The option that sets the bound, e.g. <c>MaxQueuedRequests</c>.</param>
    /// <param name="limit">The bound.</param>
    /// <param name="innerException">The lower-layer cause, if any.</param>
    public SailsLimitExceededException(string message, string optionName, int limit, Exception? innerException = null)
        : base(message, innerException)
    {
        OptionName = optionName;
        Limit = limit;
    }

    /// <summary>The <see cref="SailsClientOptions"/> property that sets the bound that was hit.</summary>
    public string OptionName { get; }

    /// <summary>The bound that was hit.</summary>
    public int Limit { get; }
}
