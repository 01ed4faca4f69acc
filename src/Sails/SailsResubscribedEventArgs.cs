using System;

namespace SailSocket;

/// <summary>The outcome of replaying one <see cref="SailsSubscription"/> after a reconnect (<see cref="SailsSocket.Resubscribed"/>).</summary>
public sealed class SailsResubscribedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="subscription">The subscription replayed.</param>
    /// <param name="response">The response, when one came.</param>
    /// <param name="exception">The failure, when there was one.</param>
    public SailsResubscribedEventArgs(SailsSubscription subscription, SailsResponse? response, Exception? exception)
    {
        Subscription = subscription;
        Response = response;
        Exception = exception;
    }

    /// <summary>The subscription replayed.</summary>
    public SailsSubscription Subscription { get; }

    /// <summary>The response to the replay; <see langword="null"/> when it failed.</summary>
    public SailsResponse? Response { get; }

    /// <summary>Why the replay failed; <see langword="null"/> when a response came (check its status code too).</summary>
    public Exception? Exception { get; }

    /// <summary>Whether the replay got a 2xx response.</summary>
    public bool Succeeded => Response is { IsSuccessStatusCode: true };
}
