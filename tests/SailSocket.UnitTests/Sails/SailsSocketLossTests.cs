using System;
using System.Linq;
using System.Threading.Tasks;
using SailSocket.Testing;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// Requests across a lost connection: queued ones are sent once, in order, on the next connection; ones already sent fail
/// with <see cref="SailsRequestInterruptedException"/> and are never resent. The servers count what they saw: the shipped
/// test kit's fake server where its record says it (which request reached which connection), the scripted peers where the
/// test must hold answers and answer them out of order, or read what the client still sends on a dropped connection.
/// </summary>
public sealed class SailsSocketLossTests
{
    [Fact]
    public async Task QueuedWhileReconnecting_AreSentOnceInOrder_OnTheNextConnection()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        var (socket, first) = await h.ConnectAsync("first");
        var events = new LifecycleRecorder(socket);
        await first.DropAsync();
        await LifecycleRecorder.NextAsync(events.Disconnected);
        Assert.Equal(SailsSocketState.Reconnecting, socket.State);

        var a = socket.GetAsync("/a").AsTask();
        var b = socket.PostAsync("/b").AsTask();
        var c = socket.DeleteAsync("/c").AsTask();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await h.Server.AcceptAsync("second");

        var ra = await second.ReceiveRequestAsync();
        var rb = await second.ReceiveRequestAsync();
        var rc = await second.ReceiveRequestAsync();
        Assert.Equal(("get", "/a"), (ra.EventName, ra.Url));
        Assert.Equal(("post", "/b"), (rb.EventName, rb.Url));
        Assert.Equal(("delete", "/c"), (rc.EventName, rc.Url));

        // Answered out of order: matched by ack id.
        await second.RespondAsync(rc, body: "3");
        await second.RespondAsync(ra, body: "1");
        await second.RespondAsync(rb, body: "2");
        Assert.Equal("1", (await a.WaitAsync(TestTimeouts.Default)).Body.ToString());
        Assert.Equal("2", (await b.WaitAsync(TestTimeouts.Default)).Body.ToString());
        Assert.Equal("3", (await c.WaitAsync(TestTimeouts.Default)).Body.ToString());

        // Sent exactly once: the next message on the new connection is the next request, and the old one saw none of them.
        var d = socket.GetAsync("/d").AsTask();
        var rd = await second.ReceiveRequestAsync();
        Assert.Equal("/d", rd.Url);
        await second.RespondAsync(rd);
        await d.WaitAsync(TestTimeouts.Default);
        Assert.Empty(await first.ReadRemainingRequestsAsync());
    }

    [Fact]
    public async Task QueuedWhileReconnecting_TimesOutOnTheClock_AndIsNeverSent()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromMinutes(1)), requestTimeout: TimeSpan.FromSeconds(10));
        var (socket, first) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);
        await first.DropAsync();
        await LifecycleRecorder.NextAsync(events.Disconnected);

        var expiring = socket.GetAsync("/expiring").AsTask();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        h.Clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(expiring.IsCompleted);
        h.Clock.Advance(TimeSpan.FromTicks(1));
        await Assert.ThrowsAsync<SailsTimeoutException>(() => expiring.WaitAsync(TestTimeouts.Default));

        var kept = socket.RequestAsync(new SailsRequest("get", "/kept") { Timeout = TimeSpan.FromMinutes(5) }).AsTask();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromMinutes(1));

        // The whole backoff from here: the reconnect timer may have been armed after the ten seconds above, not before.
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await h.Server.AcceptAsync();
        var request = await second.ReceiveRequestAsync();
        Assert.Equal("/kept", request.Url);
        await second.RespondAsync(request);
        await kept.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task InFlight_FailWithSailsRequestInterrupted_AndAreNotResent()
    {
        await using var h = new FakeServerHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        h.Server.Get("/a", _ => FakeResponse.NoReply).Post("/b", _ => FakeResponse.NoReply).Get("/c", _ => FakeResponse.Status(200));
        var (socket, first) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);
        var a = socket.GetAsync("/a").AsTask();
        var b = socket.PostAsync("/b").AsTask();
        await h.Server.WaitForRequestAsync(r => r.Path == "/b", TestTimeouts.Default);

        await first.DropAsync();

        var ex = await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => a.WaitAsync(TestTimeouts.Default));
        Assert.True(ex.RequestMayHaveBeenProcessed);
        await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => b.WaitAsync(TestTimeouts.Default));

        await LifecycleRecorder.NextAsync(events.Disconnected);
        var second = await h.ReconnectAfterAsync(TimeSpan.FromSeconds(1));
        await LifecycleRecorder.NextAsync(events.Reconnected);
        await socket.GetAsync("/c").AsTask().WaitAsync(TestTimeouts.Default);

        // Each sent once, on the connection it was sent on: neither interrupted one came back.
        Assert.Equal([("/a", first.Id), ("/b", first.Id), ("/c", second.Id)], h.Server.Received.Select(r => (r.Path, r.SocketId)));
    }

    [Fact]
    public async Task InFlightAndQueued_TogetherAcrossALoss_OnlyTheQueuedAreSentAgain()
    {
        await using var h = new FakeServerHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        h.Server.Get("/in-flight", _ => FakeResponse.NoReply).Get("/queued", _ => FakeResponse.Status(200));
        var (socket, first) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);
        var inFlight = socket.GetAsync("/in-flight").AsTask();
        await h.Server.WaitForRequestAsync(r => r.Path == "/in-flight", TestTimeouts.Default);

        await first.DropAsync();
        await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => inFlight.WaitAsync(TestTimeouts.Default));
        await LifecycleRecorder.NextAsync(events.Disconnected);
        var queued = socket.GetAsync("/queued").AsTask();
        var second = await h.ReconnectAfterAsync(TimeSpan.FromSeconds(1));

        await queued.WaitAsync(TestTimeouts.Default);
        Assert.Equal([("/in-flight", first.Id), ("/queued", second.Id)], h.Server.Received.Select(r => (r.Path, r.SocketId)));
    }

    [Fact]
    public async Task ServerDisconnect_FailsInFlightWithInterrupted_AndDoesNotReconnect()
    {
        await using var h = new FakeServerHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        h.Server.Get("/a", _ => FakeResponse.NoReply);
        var (socket, fake) = await h.ConnectAsync();
        var a = socket.GetAsync("/a").AsTask();
        await h.Server.WaitForRequestAsync(r => r.Path == "/a", TestTimeouts.Default);

        await fake.DisconnectAsync();

        await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => a.WaitAsync(TestTimeouts.Default));
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, h.Server.ConnectionAttempts);
        Assert.Single(h.Server.Received);
    }
}
