using System;
using SailSocket.Engine;

namespace SailSocket.SocketIo;

/// <summary>How to open a <see cref="SocketIoConnection"/>: the Engine.IO connection that namespaces share.</summary>
public sealed class SocketIoConnectionOptions
{
    /// <summary>The Engine.IO connection to open underneath.</summary>
    public required EngineOptions Engine { get; init; }

    /// <summary>The bound on opening the connection (the Engine.IO handshake). Default 20 seconds.</summary>
    /// <remarks>
    /// Measured on the Engine options' clock (<see cref="EngineOptions.TimeProvider"/>).
    /// An <see cref="EngineOptions.ConnectTimeout"/> that is not shorter ends with this bound: its expiry is reported as this
    /// one, <see cref="SocketIoTimeoutException"/>.
    /// </remarks>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The most binary attachments one packet may announce. Default 10, the Socket.IO server's own limit.</summary>
    public int MaxAttachments { get; init; } = 10;

    /// <summary>The default of <see cref="TimerResolution"/>: 100 ms.</summary>
    public static readonly TimeSpan DefaultTimerResolution = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often the ack deadlines of every namespace are checked, on the clock of <see cref="EngineOptions.TimeProvider"/>:
    /// an emit times out up to this late. Default 100 ms (<see cref="DefaultTimerResolution"/>).
    /// </summary>
    /// <remarks>
    /// Every connection of the process with the same clock and resolution is checked by one shared timer, which runs only
    /// while an emit may wait for its ack.
    /// </remarks>
    public TimeSpan TimerResolution { get; init; } = DefaultTimerResolution;


    /// <summary>
    /// Called once when the connection ends, after every namespace client on it has been told
    /// (<see cref="SocketIoNamespaceOptions.OnDisconnected"/>). Default: none.
    /// </summary>
    public Action<SocketIoDisconnectedException>? OnClosed { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Engine, nameof(Engine));
        Engine.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttachments, 0, nameof(MaxAttachments));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TimerResolution, TimeSpan.Zero, nameof(TimerResolution));
    }
}
