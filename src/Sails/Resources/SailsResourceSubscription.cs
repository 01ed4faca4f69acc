using System;
using System.Collections.Generic;

namespace SailSocket.Resources;

/// <summary>
/// A blueprint find that subscribed the socket (<see cref="SailsResource{T}.SubscribeAsync"/>): the records it returned,
/// and the <see cref="SailsSubscription"/> that sends the find again after every reconnect. Dispose it to stop replaying.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <remarks>
/// The messages themselves come through <see cref="SailsResource{T}.On"/> or <see cref="SailsResource{T}.ReadMessagesAsync"/>
/// on the model's event, whichever find subscribed the socket (docs/blueprints.md says which records a socket hears of).
/// </remarks>
public sealed class SailsResourceSubscription<T> : IDisposable
{
    private readonly SailsResource<T> _resource;

    internal SailsResourceSubscription(SailsResource<T> resource, SailsQuery? query, SailsSubscription subscription, IReadOnlyList<T> records)
    {
        _resource = resource;
        Query = query;
        Subscription = subscription;
        Records = records;
    }

    /// <summary>The query the find was sent with; <see langword="null"/>: all records (up to the server's default limit).</summary>
    public SailsQuery? Query { get; }

    /// <summary>The records the first find returned.</summary>
    public IReadOnlyList<T> Records { get; }

    /// <summary>The replayed request; <see cref="SailsSocket.Resubscribed"/> reports each replay with this subscription.</summary>
    public SailsSubscription Subscription { get; }

    /// <summary>Reads the records of the latest time the find was sent: the first response, or the last replay's.</summary>
    /// <returns>The records.</returns>
    /// <exception cref="SailsBlueprintException">The latest response is an error.</exception>
    /// <exception cref="System.Text.Json.JsonException">A record does not match <typeparamref name="T"/>; the path locates it.</exception>
    public IReadOnlyList<T> ReadLatestRecords() => _resource.ReadRecords(Subscription.LastResponse);

    /// <summary>Stops replaying the find. The server keeps the socket's subscriptions until it disconnects.</summary>
    public void Dispose() => Subscription.Dispose();
}
