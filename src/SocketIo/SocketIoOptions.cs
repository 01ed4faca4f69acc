using System;
using SailSocket.Engine;

namespace SailSocket.SocketIo;

/// <summary>Receives server events on the receive loop. The event's memory is valid only during the call.</summary>
/// <param name="socketEvent">The event.</param>
public delegate void SocketIoEventCallback(in SocketIoEvent socketEvent);

/// <summary>
/// How to open a Socket.IO connection with one namespace on it (<see cref="SocketIoClient.ConnectAsync"/>): protocol 5 or
/// 4, as fixed by the Engine.IO revision (<see cref="EngineOptions.Revision"/>). For several namespaces over one
/// connection use <see cref="SocketIoConnection"/>.
/// </summary>
public sealed class SocketIoOptions
{
    /// <summary>The Engine.IO connection to open underneath.</summary>
    public required EngineOptions Engine { get; init; }

    /// <summary>The namespace to connect to. Default <c>/</c>, the only one a Sails app has.</summary>
    public string Namespace { get; init; } = "/";

    /// <summary>The auth payload sent with CONNECT: a UTF-8 JSON object, or empty for none. Default: none. Protocol 4 has no auth payload: it is not sent there.</summary>
    public ReadOnlyMemory<byte> Auth { get; init; }

    /// <summary>The bound on the whole connect: Engine.IO handshake plus the namespace CONNECT reply. Default 20 seconds.</summary>
    /// <remarks>
    /// Measured on the Engine options' clock (<see cref="EngineOptions.TimeProvider"/>).
    /// An <see cref="EngineOptions.ConnectTimeout"/> that is not shorter ends with this bound: its expiry is reported as this
    /// one, <see cref="SocketIoTimeoutException"/>.
    /// </remarks>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The most binary attachments one packet may announce. Default 10, the Socket.IO server's own limit.</summary>
    public int MaxAttachments { get; init; } = 10;

    /// <summary>
    /// The most emits that may wait for their ack at once; one more is refused with
    /// <see cref="SocketIoAckLimitException"/> before anything is sent. Default 10,000
    /// (<see cref="SocketIoNamespaceOptions.DefaultMaxPendingAcks"/>).
    /// </summary>
    public int MaxPendingAcks { get; init; } = SocketIoNamespaceOptions.DefaultMaxPendingAcks;

    /// <summary>
    /// How often ack deadlines are checked, on the clock of <see cref="EngineOptions.TimeProvider"/>: an emit times out up
    /// to this late. Default 100 ms (<see cref="SocketIoConnectionOptions.DefaultTimerResolution"/>).
    /// </summary>
    /// <remarks>
    /// Every connection of the process with the same clock and resolution is checked by one shared timer, which runs only
    /// while an emit may wait for its ack.
    /// </remarks>
    public TimeSpan TimerResolution { get; init; } = SocketIoConnectionOptions.DefaultTimerResolution;


    /// <summary>
    /// Called on the receive loop for every server event, in order. Must be quick and must copy what it keeps; exceptions
    /// are caught and dropped so they cannot stop the loop. Default: events are dropped.
    /// </summary>
    public SocketIoEventCallback? OnEvent { get; init; }

    /// <summary>
    /// Whether a server event that asks for an ack (<c>socket.emit(ev, data, fn)</c> on the server) is answered with an
    /// empty ack right after <see cref="OnEvent"/> returns. Default <see langword="true"/>. When <see langword="false"/>,
    /// answer with <see cref="SocketIoClient.AckAsync"/>.
    /// </summary>
    public bool AcknowledgeEvents { get; init; } = true;

    /// <summary>
    /// The most automatic acks (<see cref="AcknowledgeEvents"/>) that may wait to be written at once; beyond it an ack is
    /// dropped and counted in <see cref="SocketIoClient.DroppedAutomaticAckCount"/>, the event is still delivered and
    /// the connection stays up. Default 1,000 (<see cref="SocketIoNamespaceOptions.DefaultMaxQueuedAutomaticAcks"/>).
    /// </summary>
    /// <remarks>See <see cref="SocketIoNamespaceOptions.MaxQueuedAutomaticAcks"/>.</remarks>
    public int MaxQueuedAutomaticAcks { get; init; } = SocketIoNamespaceOptions.DefaultMaxQueuedAutomaticAcks;

    /// <summary>Called once when a connected client stops being connected, after pending acks have failed. Default: none.</summary>
    public Action<SocketIoDisconnectedException>? OnDisconnected { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Engine, nameof(Engine));
        Engine.Validate();
        if (string.IsNullOrEmpty(Namespace) || Namespace[0] != '/' || Namespace.Contains(',', StringComparison.Ordinal))
        {
            throw new ArgumentException("The namespace must start with '/' and contain no ','.", nameof(Namespace));
        }

        if (!Auth.IsEmpty && Auth.Span[0] != (byte)'{')
        {
            throw new ArgumentException("The auth payload must be a JSON object.", nameof(Auth));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttachments, 0, nameof(MaxAttachments));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingAcks, 1, nameof(MaxPendingAcks));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedAutomaticAcks, 1, nameof(MaxQueuedAutomaticAcks));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TimerResolution, TimeSpan.Zero, nameof(TimerResolution));
    }

    /// <summary>The connection-wide part of these options.</summary>
    internal SocketIoConnectionOptions ToConnectionOptions() => new()
    {
        Engine = Engine,
        ConnectTimeout = ConnectTimeout,
        MaxAttachments = MaxAttachments,
        TimerResolution = TimerResolution,
    };

    /// <summary>The namespace part of these options.</summary>
    internal SocketIoNamespaceOptions ToNamespaceOptions() => new()
    {
        Namespace = Namespace,
        Auth = Auth,
        ConnectTimeout = ConnectTimeout,
        MaxPendingAcks = MaxPendingAcks,
        OnEvent = OnEvent,
        AcknowledgeEvents = AcknowledgeEvents,
        MaxQueuedAutomaticAcks = MaxQueuedAutomaticAcks,
        OnDisconnected = OnDisconnected,
    };
}
