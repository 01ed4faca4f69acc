using System;
using System.Threading;

namespace SailSocket;

/// <summary>
/// A subscribing request (a blueprint <c>GET /user</c>, a custom room-join route) that the socket replays after every
/// reconnect, because the server forgets a socket's rooms and model subscriptions when it reconnects with a new id.
/// Dispose it to stop replaying.
/// </summary>
public sealed class SailsSubscription : IDisposable
{
    private SailsSocket? _socket;

    internal SailsSubscription(SailsSocket socket, SailsRequest request, SailsResponse response)
    {
        _socket = socket;
        Request = request;
        LastResponse = response;
    }

    /// <summary>The request that subscribes.</summary>
    public SailsRequest Request { get; }

    /// <summary>The response to the latest time the request was sent: the first one, or the last replay's.</summary>
    public SailsResponse LastResponse { get; internal set; }

    /// <summary>Stops replaying the request. The server-side subscription stays until the socket disconnects.</summary>
    public void Dispose() => Interlocked.Exchange(ref _socket, null)?.Unsubscribe(this);
}
