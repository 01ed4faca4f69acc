using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Testing;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// <see cref="SailsSocket.SubscribeAsync"/>: after a reconnect the subscribing requests go out again on the new connection,
/// in order, before the queued requests, with that connection's default request headers; <see cref="SailsSocket.Resubscribed"/>
/// reports each outcome.
/// </summary>
public sealed class SubscriptionReplayTests
{
    /// <summary>Every handshake sets a token of its own as a default request header, as a CSRF token would be.</summary>
    private static ValueTask TokenPerAttempt(SailsHandshake handshake, CancellationToken cancellationToken)
    {
        handshake.RequestHeaders["x-csrf-token"] = $"token-{handshake.Attempt}";
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Reconnect_ReplaysSubscriptionsInOrder_BeforeQueuedRequests_WithTheNewConnectionsHeaders()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)), configureHandshake: TokenPerAttempt);
        var (socket, first) = await h.ConnectAsync("first");
        var users = await SubscribeAsync(socket, first, "/user", "token-0");
        var room = await SubscribeAsync(socket, first, "/room/join", "token-0");
        var events = new LifecycleRecorder(socket);

        await first.DropAsync();
        await LifecycleRecorder.NextAsync(events.Disconnected);
        var queued = socket.PostAsync("/queued").AsTask();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await h.Server.AcceptAsync("second");

        var replayUsers = await second.ReceiveRequestAsync();
        Assert.Equal(("get", "/user"), (replayUsers.EventName, replayUsers.Url));
        Assert.Equal("token-1", replayUsers.Header("x-csrf-token"));
        await second.RespondAsync(replayUsers, body: "[\"again\"]");
        var replayRoom = await second.ReceiveRequestAsync();
        Assert.Equal("/room/join", replayRoom.Url);
        Assert.Equal("token-1", replayRoom.Header("x-csrf-token"));
        await second.RespondAsync(replayRoom);

        // The queued request only after every replay has its outcome, with the new token too.
        var later = await second.ReceiveRequestAsync();
        Assert.Equal(("post", "/queued"), (later.EventName, later.Url));
        Assert.Equal("token-1", later.Header("x-csrf-token"));
        await second.RespondAsync(later);
        await queued.WaitAsync(TestTimeouts.Default);

        var resubscribedUsers = await LifecycleRecorder.NextAsync(events.Resubscribed);
        Assert.Same(users, resubscribedUsers.Subscription);
        Assert.True(resubscribedUsers.Succeeded);
        Assert.Null(resubscribedUsers.Exception);
        Assert.Equal("[\"again\"]", resubscribedUsers.Response!.Body.ToString());
        Assert.Same(resubscribedUsers.Response, users.LastResponse);
        Assert.Same(room, (await LifecycleRecorder.NextAsync(events.Resubscribed)).Subscription);
    }

    // The tests below run against the shipped test kit's fake server (FakeServerHarness): they are about which requests
    // go out and what the socket reports, not about frames. The one above keeps its scripted peer: it holds each replay's
    // answer to show that the queued request waits for every replay's outcome, which a server answering at once cannot.

    [Fact]
    public async Task Reconnect_AFailedReplay_IsReported_AndTheQueueStillFlushes()
    {
        await using var h = new FakeServerHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        var answers = 0;
        h.Server.Get("/user", _ => Interlocked.Increment(ref answers) == 1 ? FakeResponse.Json("[]") : FakeResponse.Status(403));
        h.Server.Get("/queued", _ => FakeResponse.Status(200));
        var (socket, first) = await h.ConnectAsync();
        var subscription = await socket.SubscribeAsync(new SailsRequest("get", "/user")).WaitAsync(TestTimeouts.Default);
        var events = new LifecycleRecorder(socket);

        await first.DropAsync();
        await LifecycleRecorder.NextAsync(events.Disconnected);
        var queued = socket.GetAsync("/queued").AsTask();
        var second = await h.ReconnectAfterAsync(TimeSpan.FromSeconds(1));

        var outcome = await LifecycleRecorder.NextAsync(events.Resubscribed);
        Assert.Same(subscription, outcome.Subscription);
        Assert.False(outcome.Succeeded);
        Assert.Equal(403, outcome.Response!.StatusCode);
        Assert.Equal(200, (await queued.WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(["/user", "/user", "/queued"], h.Server.Received.Select(r => r.Path));
        Assert.Equal([first.Id, second.Id, second.Id], h.Server.Received.Select(r => r.SocketId));
    }

    [Fact]
    public async Task Reconnect_ADisposedSubscription_IsNotReplayed()
    {
        await using var h = new FakeServerHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        h.Server.Get("/gone", _ => FakeResponse.Json("[]")).Get("/kept", _ => FakeResponse.Json("[]"));
        var (socket, first) = await h.ConnectAsync();
        var gone = await socket.SubscribeAsync(new SailsRequest("get", "/gone")).WaitAsync(TestTimeouts.Default);
        var kept = await socket.SubscribeAsync(new SailsRequest("get", "/kept")).WaitAsync(TestTimeouts.Default);
        gone.Dispose();
        var events = new LifecycleRecorder(socket);

        await first.DropAsync();
        var second = await h.ReconnectAfterAsync(TimeSpan.FromSeconds(1));

        Assert.Same(kept, (await LifecycleRecorder.NextAsync(events.Resubscribed)).Subscription);
        var replay = await h.Server.WaitForRequestAsync(r => r.SocketId == second.Id, TestTimeouts.Default);
        Assert.Equal("/kept", replay.Path);
        await Task.Delay(TestTimeouts.Quiet);
        Assert.Single(h.Server.Received, r => r.SocketId == second.Id);
    }

    [Fact]
    public async Task Subscribe_AnErrorStatus_ThrowsAndRegistersNothing()
    {
        await using var h = new FakeServerHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        h.Server.Get("/next", _ => FakeResponse.Status(200));
        var (socket, first) = await h.ConnectAsync();
        await Assert.ThrowsAsync<SailsRequestException>(() => socket.SubscribeAsync(new SailsRequest("get", "/user")).WaitAsync(TestTimeouts.Default));

        await first.DropAsync();
        var second = await h.ReconnectAfterAsync(TimeSpan.FromSeconds(1));

        // Nothing replayed: the first request on the new connection is the caller's.
        await socket.GetAsync("/next").AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal("/next", Assert.Single(h.Server.Received, r => r.SocketId == second.Id).Path);
    }

    private static async Task<SailsSubscription> SubscribeAsync(SailsSocket socket, SailsPeer peer, string url, string? expectedToken)
    {
        var subscribing = socket.SubscribeAsync(new SailsRequest("get", url));
        var request = await peer.ReceiveRequestAsync();
        Assert.Equal(url, request.Url);
        Assert.Equal(expectedToken, request.Header("x-csrf-token"));
        await peer.RespondAsync(request, body: "[]");
        return await subscribing.WaitAsync(TestTimeouts.Default);
    }
}
