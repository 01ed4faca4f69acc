using System;
using System.Net.WebSockets;
using System.Threading.Tasks;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// The socket's own lifecycle calls against the supervisor: auto-connect with requests queued before the first connect,
/// a manual reconnect, a disconnect or disposal while the socket is still trying to connect.
/// </summary>
public sealed class SailsSocketLifecycleTests
{
    [Fact]
    public async Task AutoConnect_RequestsMadeBeforeTheFirstConnect_AreSentInOrderOnceConnected()
    {
        await using var h = new SailsHarness();
        var socket = h.Client.CreateSocket();
        var a = socket.GetAsync("/a").AsTask();
        var b = socket.GetAsync("/b").AsTask();

        var peer = await h.Server.AcceptAsync();

        var ra = await peer.ReceiveRequestAsync();
        var rb = await peer.ReceiveRequestAsync();
        Assert.Equal("/a", ra.Url);
        Assert.Equal("/b", rb.Url);
        await peer.RespondAsync(rb);
        await peer.RespondAsync(ra);
        await Task.WhenAll(a, b).WaitAsync(TestTimeouts.Default);
        Assert.Equal(SailsSocketState.Connected, socket.State);
    }

    [Fact]
    public async Task AutoConnect_FailingWithoutReconnection_FailsTheQueuedRequests()
    {
        await using var h = new SailsHarness();
        var socket = h.Client.CreateSocket();
        var a = socket.GetAsync("/a").AsTask();

        var peer = await h.Server.NextConnectionAsync();
        await peer.Peer.CloseAsync();

        var ex = await Assert.ThrowsAsync<SailsConnectionException>(() => a.WaitAsync(TestTimeouts.Default));
        Assert.Contains("could not connect", ex.Message, StringComparison.Ordinal);
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
        Assert.Empty(await peer.ReadRemainingRequestsAsync());
    }

    [Fact]
    public async Task ReconnectAsync_DropsTheConnection_InterruptsInFlight_AndConnectsAtOnce()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromMinutes(1)));
        var (socket, first) = await h.ConnectAsync("first");
        var events = new LifecycleRecorder(socket);
        var inFlight = socket.GetAsync("/in-flight").AsTask();
        await first.ReceiveRequestAsync();

        var reconnecting = socket.ReconnectAsync();
        var second = await h.Server.AcceptAsync("second");
        await reconnecting.WaitAsync(TestTimeouts.Default);

        await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => inFlight.WaitAsync(TestTimeouts.Default));
        Assert.Equal("second", socket.Id);
        Assert.Equal(SailsDisconnectReason.ClientDisconnect, (await LifecycleRecorder.NextAsync(events.Disconnected)).Reason);
        var attempt = await LifecycleRecorder.NextAsync(events.Reconnecting);
        Assert.Equal(1, attempt.Attempt);
        Assert.Equal(TimeSpan.Zero, attempt.Delay);
        Assert.Equal(1, (await LifecycleRecorder.NextAsync(events.Reconnected)).Attempt);
        Assert.Empty(await first.ReadRemainingRequestsAsync());

        var get = socket.GetAsync("/next").AsTask();
        var next = await second.ReceiveRequestAsync();
        Assert.Equal("/next", next.Url);
        await second.RespondAsync(next);
        await get.WaitAsync(TestTimeouts.Default);

        // Exactly one Disconnected for the one connection that ended.
        Assert.False(events.Disconnected.Reader.TryRead(out _));
    }

    [Fact]
    public async Task DisconnectAsync_WhileReconnecting_StopsTheLoop_AndFailsTheQueue()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        var (socket, first) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);
        await first.DropAsync();
        await LifecycleRecorder.NextAsync(events.Disconnected);
        var queued = socket.GetAsync("/queued").AsTask();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));

        await socket.DisconnectAsync().WaitAsync(TestTimeouts.Default);

        var ex = await Assert.ThrowsAsync<SailsConnectionException>(() => queued.WaitAsync(TestTimeouts.Default));
        Assert.Contains("disconnected", ex.Message, StringComparison.Ordinal);
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, h.Server.Attempts);
    }

    [Fact]
    public async Task DisposeAsync_WhileConnecting_FailsTheConnectAndTheQueue()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)), autoConnect: false);
        h.Server.Refuse = _ => new WebSocketException("down");
        var socket = h.Client.CreateSocket();
        var connecting = socket.ConnectAsync();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        var queued = socket.GetAsync("/queued").AsTask();

        await socket.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);

        await Assert.ThrowsAsync<SailsConnectionException>(() => connecting.WaitAsync(TestTimeouts.Default));
        await Assert.ThrowsAsync<SailsConnectionException>(() => queued.WaitAsync(TestTimeouts.Default));
        Assert.Equal(SailsSocketState.Closed, socket.State);
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, h.Server.Attempts);
        Assert.Empty(h.Client.Sockets);
    }
}
