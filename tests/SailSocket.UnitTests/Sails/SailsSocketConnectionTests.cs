using System;
using System.Linq;
using System.Net.WebSockets;
using System.Threading.Tasks;
using SailSocket.Testing;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// The connection supervisor's decisions, through <see cref="SailsClient"/> and <see cref="SailsSocket"/> over scripted
/// in-memory servers and a manual clock: how many attempts, when (backoff on the clock), when to give up, and which losses
/// reconnect. Tests about what a connection does run against the shipped test kit's fake server (FakeServerHarness); the
/// ones that refuse with a given exception, hold a handshake half-way or pick the server's ids keep the scripted peers.
/// </summary>
public sealed class SailsSocketConnectionTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Fact]
    public async Task Connect_WithoutReconnection_MakesOneAttempt_AndFailsWithSailsConnectionException()
    {
        await using var h = new SailsHarness(autoConnect: false);
        var refusal = new WebSocketException("refused");
        h.Server.Refuse = _ => refusal;
        var socket = h.Client.CreateSocket();

        var ex = await Assert.ThrowsAsync<SailsConnectionException>(() => socket.ConnectAsync().WaitAsync(TestTimeouts.Default));

        Assert.Same(refusal, Innermost(ex));
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, h.Server.Attempts);
        await Assert.ThrowsAsync<SailsConnectionException>(() => socket.GetAsync("/x").AsTask().WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task ClientConnect_WithoutReconnection_FailsAndDisposesTheSocket()
    {
        await using var h = new SailsHarness();
        h.Server.Refuse = _ => new WebSocketException("refused");

        await Assert.ThrowsAsync<SailsConnectionException>(() => h.Client.ConnectAsync().WaitAsync(TestTimeouts.Default));

        Assert.Equal(1, h.Server.Attempts);
        Assert.Empty(h.Client.Sockets);
    }

    [Fact]
    public async Task Connect_Succeeds_SocketIsConnectedWithTheServersId()
    {
        await using var h = new FakeServerHarness();

        var (socket, fake) = await h.ConnectAsync();

        Assert.Equal(SailsSocketState.Connected, socket.State);
        Assert.Equal(fake.Id, socket.Id);
        Assert.True(fake.Query.ContainsKey("__sails_io_sdk_version"));
        Assert.Equal(1, h.Server.ConnectionAttempts);
    }

    [Fact]
    public async Task Connect_WithReconnection_WaitsEachBackoffDelayOnTheClock_BeforeTheNextAttempt()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(2), attempts: 3), autoConnect: false);
        h.Server.Refuse = n => n <= 3 ? new WebSocketException($"refused #{n}") : null;
        var socket = h.Client.CreateSocket();
        var events = new LifecycleRecorder(socket);

        var connecting = socket.ConnectAsync();

        await h.Server.WaitForAttemptAsync(1);
        foreach (var (attempt, delay) in new[] { (2, 2), (3, 4), (4, 8) })
        {
            await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(delay));
            h.Clock.Advance(TimeSpan.FromSeconds(delay) - Tick);
            Assert.Equal(attempt - 1, h.Server.Attempts);
            Assert.Equal(SailsSocketState.Connecting, socket.State);

            h.Clock.Advance(Tick);
            await h.Server.WaitForAttemptAsync(attempt);
        }

        var peer = await h.Server.NextConnectionAsync();
        await peer.HandshakeAsync("sid-4");
        await connecting.WaitAsync(TestTimeouts.Default);

        Assert.Equal(SailsSocketState.Connected, socket.State);
        Assert.Equal("sid-4", socket.Id);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var reconnecting = await LifecycleRecorder.NextAsync(events.Reconnecting);
            Assert.Equal(attempt, reconnecting.Attempt);
            Assert.Equal(TimeSpan.FromSeconds(2 << (attempt - 1)), reconnecting.Delay);
        }

        for (var attempt = 0; attempt <= 2; attempt++)
        {
            var error = await LifecycleRecorder.NextAsync(events.ConnectError);
            Assert.Equal(attempt, error.Attempt);
            Assert.Contains($"refused #{attempt + 1}", error.Exception!.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Connect_WithReconnection_GivesUpAfterTheLastAttempt_WithTheLastError()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1), attempts: 2), autoConnect: false);
        h.Server.Refuse = n => new WebSocketException($"refused #{n}");
        var socket = h.Client.CreateSocket();
        var events = new LifecycleRecorder(socket);

        var connecting = socket.ConnectAsync();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        h.Clock.Advance(TimeSpan.FromSeconds(2));

        var ex = await Assert.ThrowsAsync<SailsConnectionException>(() => connecting.WaitAsync(TestTimeouts.Default));
        Assert.Contains("refused #3", Innermost(ex).Message, StringComparison.Ordinal);
        Assert.Equal(3, h.Server.Attempts);
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
        var failed = await LifecycleRecorder.NextAsync(events.ReconnectFailed);
        Assert.Equal(2, failed.Attempt);
        Assert.IsType<SailsConnectionException>(failed.Exception);

        h.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(3, h.Server.Attempts);
    }

    [Fact]
    public async Task Connect_WithReconnection_ServerKeepsRefusing_ThrowsSailsTimeoutAfterConnectTimeout_WithTheLatestError()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(3)), autoConnect: false, connectTimeout: TimeSpan.FromSeconds(5));
        h.Server.Refuse = n => new WebSocketException($"refused #{n}");
        var socket = h.Client.CreateSocket();

        var connecting = socket.ConnectAsync();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(3));
        h.Clock.Advance(TimeSpan.FromSeconds(3));
        await h.Server.WaitForAttemptAsync(2);

        // The second attempt failed too (its successor's delay is armed); the connect waits on until ConnectTimeout.
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(6));
        h.Clock.Advance(TimeSpan.FromSeconds(2) - Tick);
        Assert.False(connecting.IsCompleted);

        h.Clock.Advance(Tick);
        var ex = await Assert.ThrowsAsync<SailsTimeoutException>(() => connecting.WaitAsync(TestTimeouts.Default));
        var latest = Assert.IsType<SailsConnectionException>(ex.InnerException);
        Assert.Equal("refused #2", Innermost(latest).Message);
        Assert.Contains("ConnectTimeout", ex.Message, StringComparison.Ordinal);

        // Reconnection goes on in the background.
        Assert.Equal(SailsSocketState.Connecting, socket.State);
        h.Server.Refuse = null;
        h.Clock.Advance(TimeSpan.FromSeconds(4));
        var peer = await h.Server.AcceptAsync("late");
        await socket.ConnectAsync().WaitAsync(TestTimeouts.Default);
        Assert.Equal("late", socket.Id);
        Assert.Equal(3, peer.Attempt);
    }

    [Fact]
    public async Task ServerDisconnect_DoesNotReconnect_AndFailsLaterRequestsAtOnce()
    {
        await using var h = new FakeServerHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        var (socket, fake) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);

        await fake.DisconnectAsync();

        var disconnected = await LifecycleRecorder.NextAsync(events.Disconnected);
        Assert.Equal(SailsDisconnectReason.ServerDisconnect, disconnected.Reason);
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
        await Assert.ThrowsAsync<SailsConnectionException>(() => socket.GetAsync("/x").AsTask().WaitAsync(TestTimeouts.Default));
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, h.Server.ConnectionAttempts);
        Assert.Empty(h.Server.Received);
        Assert.False(events.Reconnecting.Reader.TryRead(out _));
    }

    [Fact]
    public async Task TransportClose_Reconnects_AfterTheBackoffDelay()
    {
        await using var h = new FakeServerHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        h.Server.Get("/after", _ => FakeResponse.Text("ok"));
        var (socket, first) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);

        await first.DropAsync();

        var disconnected = await LifecycleRecorder.NextAsync(events.Disconnected);
        Assert.Equal(SailsDisconnectReason.TransportClose, disconnected.Reason);
        Assert.Equal(SailsSocketState.Reconnecting, socket.State);
        var reconnecting = await LifecycleRecorder.NextAsync(events.Reconnecting);
        Assert.Equal(1, reconnecting.Attempt);
        Assert.Equal(TimeSpan.FromSeconds(1), reconnecting.Delay);

        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(1, h.Server.ConnectionAttempts);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await h.Server.WaitForSocketAsync(TestTimeouts.Default);

        Assert.Equal(1, (await LifecycleRecorder.NextAsync(events.Reconnected)).Attempt);
        Assert.Equal(1, (await LifecycleRecorder.NextAsync(events.Connected)).Attempt);
        Assert.Equal(SailsSocketState.Connected, socket.State);
        Assert.Equal(second.Id, socket.Id);
        Assert.Equal("\"ok\"", (await socket.GetAsync("/after").AsTask().WaitAsync(TestTimeouts.Default)).Body.ToString());
        Assert.Equal(second.Id, Assert.Single(h.Server.Received).SocketId);
    }

    [Fact]
    public async Task TransportClose_WithoutReconnection_StaysDisconnected()
    {
        await using var h = new FakeServerHarness();
        var (socket, fake) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);

        await fake.DropAsync();

        Assert.Equal(SailsDisconnectReason.TransportClose, (await LifecycleRecorder.NextAsync(events.Disconnected)).Reason);
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, h.Server.ConnectionAttempts);
    }

    [Fact]
    public async Task Reconnection_AfterALoss_StopsAtAttempts_AndRaisesReconnectFailed()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1), attempts: 2));
        var (socket, peer) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);
        h.Server.Refuse = n => new WebSocketException($"down #{n}");

        await peer.DropAsync();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.Server.WaitForAttemptAsync(2);
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        h.Clock.Advance(TimeSpan.FromSeconds(2));

        var failed = await LifecycleRecorder.NextAsync(events.ReconnectFailed);
        Assert.Equal(2, failed.Attempt);
        Assert.Contains("down #3", Innermost(failed.Exception!).Message, StringComparison.Ordinal);
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
        Assert.Equal(new[] { 1, 2 }, new[] { await LifecycleRecorder.NextAsync(events.ConnectError), await LifecycleRecorder.NextAsync(events.ConnectError) }.Select(e => e.Attempt));
        await Assert.ThrowsAsync<SailsConnectionException>(() => socket.GetAsync("/x").AsTask().WaitAsync(TestTimeouts.Default));
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(3, h.Server.Attempts);
    }

    [Fact]
    public async Task Disconnect_ByTheClient_DoesNotReconnect_AndConnectAsyncConnectsAgain()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        var (socket, _) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);

        await socket.DisconnectAsync().WaitAsync(TestTimeouts.Default);

        Assert.Equal(SailsDisconnectReason.ClientDisconnect, (await LifecycleRecorder.NextAsync(events.Disconnected)).Reason);
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, h.Server.Attempts);

        var connecting = socket.ConnectAsync();
        await h.Server.AcceptAsync("again");
        await connecting.WaitAsync(TestTimeouts.Default);
        Assert.Equal("again", socket.Id);
    }

    [Fact]
    public async Task Dispose_ThenConnect_ThrowsObjectDisposed()
    {
        await using var h = new SailsHarness();
        var (socket, _) = await h.ConnectAsync();

        await socket.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal(SailsSocketState.Closed, socket.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => socket.ConnectAsync().WaitAsync(TestTimeouts.Default));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => socket.GetAsync("/x").AsTask().WaitAsync(TestTimeouts.Default));
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is { } inner)
        {
            ex = inner;
        }

        return ex;
    }
}
