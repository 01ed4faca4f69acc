using System;

namespace SailSocket.SocketIo;

/// <summary>How to connect one namespace over a <see cref="SocketIoConnection"/> (<see cref="SocketIoConnection.ConnectNamespaceAsync(SocketIoNamespaceOptions, System.Threading.CancellationToken)"/>).</summary>
public sealed class SocketIoNamespaceOptions
{
    /// <summary>The default for <see cref="MaxPendingAcks"/>.</summary>
    public const int DefaultMaxPendingAcks = 10_000;

    /// <summary>The default for <see cref="MaxQueuedAutomaticAcks"/>.</summary>
    public const int DefaultMaxQueuedAutomaticAcks = 1_000;

    /// <summary>The namespace: starts with <c>/</c>, contains no <c>,</c>. Default <c>/</c>.</summary>
    public string Namespace { get; init; } = "/";

    /// <summary>
    /// The auth payload sent with CONNECT (<c>socket.handshake.auth</c> on the server): a UTF-8 JSON object, or empty for
    /// none. Default: none. Protocol 4 has no CONNECT payload: it is not sent there.
    /// </summary>
    public ReadOnlyMemory<byte> Auth { get; init; }

    /// <summary>The bound on the wait for the server's CONNECT (or CONNECT_ERROR) reply. Default 20 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The most emits that may wait for their ack at once; one more is refused with
    /// <see cref="SocketIoAckLimitException"/> before anything is sent. Default <see cref="DefaultMaxPendingAcks"/> (10,000).
    /// </summary>
    public int MaxPendingAcks { get; init; } = DefaultMaxPendingAcks;

    /// <summary>
    /// Called on the receive loop for every server event of this namespace, in order. Must be quick and must copy what it
    /// keeps; exceptions are caught and dropped so they cannot stop the loop. Default: events are dropped.
    /// </summary>
    public SocketIoEventCallback? OnEvent { get; init; }

    /// <summary>
    /// Whether a server event that asks for an ack is answered with an empty ack right after <see cref="OnEvent"/> returns.
    /// Default <see langword="true"/>. When <see langword="false"/>, answer with <see cref="SocketIoClient.AckAsync"/>.
    /// </summary>
    public bool AcknowledgeEvents { get; init; } = true;

    /// <summary>
    /// The most automatic acks (<see cref="AcknowledgeEvents"/>) of this namespace that may wait to be written at once.
    /// Default <see cref="DefaultMaxQueuedAutomaticAcks"/> (1,000).
    /// </summary>
    /// <remarks>
    /// A server that keeps sending events that ask for an ack while it does not read its socket would otherwise make the
    /// client hold one queued ack per event without limit. Beyond the bound the ack is <b>dropped</b>, not sent, and
    /// counted in <see cref="SocketIoClient.DroppedAutomaticAckCount"/>; the event itself is still handed to
    /// <see cref="OnEvent"/> and the connection stays up (a socket whose sends cannot complete is ended by the send
    /// bounds of the layer above). The server's callback for a dropped ack is never called.
    /// </remarks>
    public int MaxQueuedAutomaticAcks { get; init; } = DefaultMaxQueuedAutomaticAcks;

    /// <summary>
    /// Called once when the connected namespace client stops being connected (left, refused by the server's DISCONNECT, or
    /// the connection ended), after its pending acks have failed. Default: none.
    /// </summary>
    public Action<SocketIoDisconnectedException>? OnDisconnected { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Namespace) || Namespace[0] != '/' || Namespace.Contains(',', StringComparison.Ordinal))
        {
            throw new ArgumentException("The namespace must start with '/' and contain no ','.", nameof(Namespace));
        }

        if (!Auth.IsEmpty && Auth.Span[0] != (byte)'{')
        {
            throw new ArgumentException("The auth payload must be a JSON object.", nameof(Auth));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingAcks, 1, nameof(MaxPendingAcks));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedAutomaticAcks, 1, nameof(MaxQueuedAutomaticAcks));
    }
}
