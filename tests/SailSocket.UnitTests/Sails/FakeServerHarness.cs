using System;
using System.Threading.Tasks;
using SailSocket.Testing;
using SailSocket.UnitTests.Infrastructure;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// A <see cref="SailsClient"/> wired to the shipped test kit's in-memory <see cref="FakeSailsServer"/> and an
/// <see cref="ObservedClock"/> shared by both: the Sails-layer tests that care about behaviour (requests, reconnects,
/// replays) rather than exact frames. Heartbeats are never due (the server announces intervals far beyond any clock
/// advance) and the shared timer ticks once a second, as in <see cref="SailsHarness"/>.
/// </summary>
internal sealed class FakeServerHarness : IAsyncDisposable
{
    /// <summary>Far beyond anything a test advances the clock by: no heartbeat is ever due.</summary>
    private static readonly TimeSpan s_noHeartbeat = TimeSpan.FromDays(10);

    public FakeServerHarness(SailsReconnectionOptions? reconnection = null, bool autoConnect = true, TimeSpan? requestTimeout = null)
    {
        Server = new FakeSailsServer(new FakeSailsServerOptions { TimeProvider = Clock, PingInterval = s_noHeartbeat, PingTimeout = s_noHeartbeat });
        Client = new SailsClient(new SailsClientOptions
        {
            Url = Server.Url,
            WebSocketFactory = Server.WebSocketFactory,
            TimeProvider = Clock,
            TimerResolution = TimeSpan.FromSeconds(1),
            Reconnection = reconnection ?? new SailsReconnectionOptions(),
            AutoConnect = autoConnect,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30),
        });
    }

    public ObservedClock Clock { get; } = new();

    public FakeSailsServer Server { get; }

    public SailsClient Client { get; }

    /// <summary>Connects a socket and returns it with the server's side of it.</summary>
    public async Task<(SailsSocket Socket, FakeSocket Fake)> ConnectAsync()
    {
        var socket = await Client.ConnectAsync().WaitAsync(TestTimeouts.Default);
        var fake = await Server.WaitForSocketAsync(TestTimeouts.Default);
        return (socket, fake);
    }

    /// <summary>Waits out the reconnect delay on the clock, then returns the server's side of the new connection.</summary>
    public async Task<FakeSocket> ReconnectAfterAsync(TimeSpan delay)
    {
        await Clock.WaitForTimerAsync(delay);
        Clock.Advance(delay);
        return await Server.WaitForSocketAsync(TestTimeouts.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        await Server.DisposeAsync();
    }
}
