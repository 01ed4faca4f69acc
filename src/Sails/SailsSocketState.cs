namespace SailSocket;

/// <summary>Where a <see cref="SailsSocket"/> is in its life.</summary>
public enum SailsSocketState
{
    /// <summary>Not connected and not trying to: requests fail at once.</summary>
    Disconnected,

    /// <summary>Connecting for the first time (or after <see cref="SailsSocket.ConnectAsync"/>); requests are queued.</summary>
    Connecting,

    /// <summary>Connected; requests are sent at once.</summary>
    Connected,

    /// <summary>The connection was lost and reconnection is under way; requests are queued.</summary>
    Reconnecting,

    /// <summary>Disposed.</summary>
    Closed,
}
