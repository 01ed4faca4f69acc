using System;
using SailSocket.Engine.Protocol;

namespace SailSocket.Testing;

/// <summary>How a <see cref="FakeSailsServer"/> behaves. Checked by <see cref="Validate"/> when the server is created.</summary>
public sealed class FakeSailsServerOptions
{
    /// <summary>
    /// The Engine.IO revision the server speaks: 4 (with Socket.IO 5, sails-hook-sockets 3.x; the default) or 3 (with
    /// Socket.IO 4, Sails 1.x on sails-hook-sockets 2.x). A client asking for the other one is refused with HTTP 400, as a
    /// server without <c>allowEIO3</c> does; <see cref="FakeSailsServer.CreateClientOptions"/> picks the right one.
    /// </summary>
    public EngineRevision Revision { get; init; } = EngineRevision.V4;

    /// <summary>
    /// The <c>pingInterval</c> announced in the open packet: on revision 4 the server pings this often (on
    /// <see cref="TimeProvider"/>), on revision 3 the client does. Default 25 seconds (engine.io's default).
    /// </summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>The <c>pingTimeout</c> announced in the open packet. Default 20 seconds (engine.io's default).</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The <c>maxPayload</c> announced in the open packet. Default 100,000,000 (Sails' <c>maxHttpBufferSize</c>).</summary>
    public long MaxPayload { get; init; } = 100_000_000;

    /// <summary>
    /// The largest message the server reads from a client; a larger one closes that connection with status 1009, as a real
    /// server does. Default 16 MiB.
    /// </summary>
    public int MaxMessageSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// The most requests <see cref="FakeSailsServer.Received"/> keeps; beyond it the oldest are dropped and counted in
    /// <see cref="FakeSailsServer.DroppedRequestCount"/>, so a long test cannot grow the record without bound. Also the most
    /// new connections <see cref="FakeSailsServer.WaitForSocketAsync"/> holds unclaimed. Default 1,000.
    /// </summary>
    public int MaxRecordedRequests { get; init; } = 1_000;

    /// <summary>The Socket.IO path the loopback server answers on (<c>sails.config.sockets.path</c>). Default <c>/socket.io/</c>.</summary>
    public string Path { get; init; } = "/socket.io/";

    /// <summary>
    /// The clock of the server's pings and response delays (<see cref="FakeResponse.Delay"/>). Give the client the same one
    /// (<see cref="FakeSailsServer.CreateClientOptions"/> does) and a fake clock drives both. The waits of
    /// <see cref="FakeSailsServer.WaitForRequestAsync"/> and <see cref="FakeSailsServer.WaitForSocketAsync"/> bound the
    /// test itself and always run on real time. Default <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public void Validate()
    {
        if (Revision is not (EngineRevision.V3 or EngineRevision.V4))
        {
            throw new ArgumentOutOfRangeException(nameof(Revision), Revision, "The revision is 3 or 4.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PingInterval, TimeSpan.Zero, nameof(PingInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PingTimeout, TimeSpan.Zero, nameof(PingTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPayload, 1, nameof(MaxPayload));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageSize, 1024, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecordedRequests, 1, nameof(MaxRecordedRequests));
        if (string.IsNullOrEmpty(Path) || Path[0] != '/')
        {
            throw new ArgumentException("The path must start with '/'.", nameof(Path));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
