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
    /// Measured on the clock of <see cref="Timer"/> (else the Engine options' timer, else <see cref="TimeProvider.System"/>).
    /// An <see cref="EngineOptions.ConnectTimeout"/> that is not shorter ends with this bound: its expiry is reported as this
    /// one, <see cref="SocketIoTimeoutException"/>.
    /// </remarks>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The most binary attachments one packet may announce. Default 10, the Socket.IO server's own limit.</summary>
    public int MaxAttachments { get; init; } = 10;

    /// <summary>
    /// The timer that drives ack deadlines of every namespace. Default: the Engine options' timer, or one owned by the
    /// connection with a resolution of 100 ms.
    /// </summary>
    public SharedTimer? Timer { get; init; }

    /// <summary>The clock the connect bound reads: the one <see cref="Timer"/> falls back along, else <see cref="TimeProvider.System"/>.</summary>
    internal TimeProvider Clock => (Timer ?? Engine.Timer)?.TimeProvider ?? TimeProvider.System;

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
    }
}
