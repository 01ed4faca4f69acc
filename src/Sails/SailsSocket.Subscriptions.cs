using System;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket;

/// <content>Subscriptions replayed after every reconnect, kept by the socket's subscription registry.</content>
public sealed partial class SailsSocket
{
    /// <summary>Raised once per subscription replayed after a reconnect, with the outcome.</summary>
    public event EventHandler<SailsResubscribedEventArgs>? Resubscribed;

    /// <summary>
    /// Sends a subscribing request now and replays it after every reconnect (the server forgets rooms and model
    /// subscriptions when a socket reconnects). Each replay's outcome is reported by <see cref="Resubscribed"/>.
    /// </summary>
    /// <param name="request">The request that subscribes, e.g. <c>new SailsRequest("get", "/user")</c> for blueprint pubsub.</param>
    /// <param name="cancellationToken">Stops waiting for the first response.</param>
    /// <returns>The subscription; dispose it to stop replaying.</returns>
    /// <remarks>
    /// A replay is sent on the new connection with that connection's default request headers
    /// (<see cref="SailsHandshake.RequestHeaders"/>): put a CSRF token there, not in <paramref name="request"/>, so that a
    /// token fetched for the new session reaches the replay.
    /// </remarks>
    /// <exception cref="SailsRequestException">The first response has an error status: nothing is registered.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request's timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<SailsSubscription> SubscribeAsync(SailsRequest request, CancellationToken cancellationToken = default)
    {
        var response = (await RequestAsync(request, cancellationToken).ConfigureAwait(false)).EnsureSuccessStatusCode();
        var subscription = new SailsSubscription(this, request, response);
        _subscriptions.Add(subscription);
        return subscription;
    }

    internal void Unsubscribe(SailsSubscription subscription) => _subscriptions.Remove(subscription);
}
