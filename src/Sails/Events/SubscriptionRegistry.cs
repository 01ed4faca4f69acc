using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using SailSocket.Connection;
using SailSocket.Protocol;
using SailSocket.Requests;

namespace SailSocket.Events;

/// <summary>
/// The subscribing requests a socket replays after every reconnect (the server forgets a socket's rooms and model
/// subscriptions when it reconnects with a new id), in the order they were made, before any queued request.
/// </summary>
/// <remarks>It locks on itself (internal, never handed out); replays run outside the lock, on a snapshot.</remarks>
internal sealed class SubscriptionRegistry
{

    /// <summary>Created by the first subscription: a socket that never subscribes holds no list.</summary>
    private List<SailsSubscription>? _subscriptions;

    public void Add(SailsSubscription subscription)
    {
        lock (this)
        {
            (_subscriptions ??= []).Add(subscription);
        }
    }

    public void Remove(SailsSubscription subscription)
    {
        lock (this)
        {
            _subscriptions?.Remove(subscription);
        }
    }

    /// <summary>Sends every subscription again on <paramref name="connection"/>, one after the other, reporting each outcome.</summary>
    /// <param name="connection">The new connection.</param>
    /// <param name="sender">Sends the requests (with the connection's default headers).</param>
    /// <param name="defaultTimeout">The timeout of a subscription without one of its own.</param>
    /// <param name="report">Told each outcome: the response, or the failure.</param>
    /// <returns>A task that completes when every replay has an outcome.</returns>
    public async Task ReplayAsync(LiveConnection connection, RequestSender sender, TimeSpan defaultTimeout, Action<SailsSubscription, SailsResponse?, Exception?> report)
    {
        SailsSubscription[] subscriptions;
        lock (this)
        {
            subscriptions = _subscriptions is { } list ? [.. list] : [];
        }

        foreach (var subscription in subscriptions)
        {
            var request = subscription.Request;
            var envelope = new SailsEnvelope<byte>(request.Method, request.Url, request.Headers, connection.RequestHeaders, request.Data, default, null, request.OmittedDefaultHeaders);
            try
            {
                var response = await sender.ReplayOnAsync(connection, envelope, request.Timeout ?? defaultTimeout).ConfigureAwait(false);
                subscription.LastResponse = response;
                report(subscription, response, null);
            }
#pragma warning disable CA1031 // A failed replay is reported to the application, which decides what to do.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                report(subscription, null, ex);
            }
        }
    }
}
