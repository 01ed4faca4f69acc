using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Protocol;
using SailSocket.SocketIo;

namespace SailSocket;

/// <content>Subscriptions replayed after every reconnect.</content>
public sealed partial class SailsSocket
{
    private readonly List<SailsSubscription> _subscriptions = [];

    /// <summary>Raised once per subscription replayed after a reconnect, with the outcome.</summary>
    public event EventHandler<SailsResubscribedEventArgs>? Resubscribed;

    /// <summary>
    /// Sends a subscribing request now and replays it after every reconnect (the server forgets rooms and model
    /// subscriptions when a socket reconnects). Each replay's outcome is reported by <see cref="Resubscribed"/>.
    /// </summary>
    /// <param name="request">The request that subscribes, e.g. <c>new SailsRequest("get", "/user")</c> for blueprint pubsub.</param>
    /// <param name="cancellationToken">Stops waiting for the first response.</param>
    /// <returns>The subscription; dispose it to stop replaying.</returns>
    /// <exception cref="SailsRequestException">The first response has an error status: nothing is registered.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request's timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<SailsSubscription> SubscribeAsync(SailsRequest request, CancellationToken cancellationToken = default)
    {
        var response = (await RequestAsync(request, cancellationToken).ConfigureAwait(false)).EnsureSuccessStatusCode();
        var subscription = new SailsSubscription(this, request, response);
        lock (_subscriptions)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    internal void Unsubscribe(SailsSubscription subscription)
    {
        lock (_subscriptions)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private async Task ReplaySubscriptionsAsync(SocketIoClient io)
    {
        SailsSubscription[] subscriptions;
        lock (_subscriptions)
        {
            subscriptions = [.. _subscriptions];
        }

        foreach (var subscription in subscriptions)
        {
            var request = subscription.Request;
            var envelope = new SailsEnvelope<byte>(request.Method, request.Url, request.Headers, _settings.Headers, request.Data, default, null, request.OmittedDefaultHeaders);
            try
            {
                var response = await SendOnAsync(io, envelope, request.Timeout ?? _settings.RequestTimeout, CancellationToken.None).ConfigureAwait(false);
                subscription.LastResponse = response;
                Post(Resubscribed, () => Raise(Resubscribed, new SailsResubscribedEventArgs(subscription, response, null)));
            }
#pragma warning disable CA1031 // A failed replay is reported to the application, which decides what to do.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Post(Resubscribed, () => Raise(Resubscribed, new SailsResubscribedEventArgs(subscription, null, ex)));
            }
        }
    }
}
