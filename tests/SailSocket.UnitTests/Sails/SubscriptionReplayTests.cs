using System;
using System.Threading;
using System.Threading.Tasks;
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

    [Fact]
    public async Task Reconnect_AFailedReplay_IsReported_AndTheQueueStillFlushes()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        var (socket, first) = await h.ConnectAsync("first");
        var subscription = await SubscribeAsync(socket, first, "/user", expectedToken: null);
        var events = new LifecycleRecorder(socket);

        await first.DropAsync();
        await LifecycleRecorder.NextAsync(events.Disconnected);
        var queued = socket.GetAsync("/queued").AsTask();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await h.Server.AcceptAsync("second");
        var replay = await second.ReceiveRequestAsync();
        await second.RespondAsync(replay, statusCode: 403, body: "\"Forbidden\"");

        var outcome = await LifecycleRecorder.NextAsync(events.Resubscribed);
        Assert.Same(subscription, outcome.Subscription);
        Assert.False(outcome.Succeeded);
        Assert.Equal(403, outcome.Response!.StatusCode);
        var later = await second.ReceiveRequestAsync();
        Assert.Equal("/queued", later.Url);
        await second.RespondAsync(later);
        await queued.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Reconnect_ADisposedSubscription_IsNotReplayed()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        var (socket, first) = await h.ConnectAsync("first");
        var gone = await SubscribeAsync(socket, first, "/gone", expectedToken: null);
        var kept = await SubscribeAsync(socket, first, "/kept", expectedToken: null);
        gone.Dispose();
        var events = new LifecycleRecorder(socket);

        await first.DropAsync();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await h.Server.AcceptAsync("second");

        var replay = await second.ReceiveRequestAsync();
        Assert.Equal("/kept", replay.Url);
        await second.RespondAsync(replay);
        Assert.Same(kept, (await LifecycleRecorder.NextAsync(events.Resubscribed)).Subscription);
    }

    [Fact]
    public async Task Subscribe_AnErrorStatus_ThrowsAndRegistersNothing()
    {
        await using var h = new SailsHarness(SailsHarness.Reconnect(TimeSpan.FromSeconds(1)));
        var (socket, first) = await h.ConnectAsync("first");
        var subscribing = socket.SubscribeAsync(new SailsRequest("get", "/user"));
        var request = await first.ReceiveRequestAsync();
        await first.RespondAsync(request, statusCode: 404, body: "\"Not Found\"");
        await Assert.ThrowsAsync<SailsRequestException>(() => subscribing.WaitAsync(TestTimeouts.Default));

        await first.DropAsync();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await h.Server.AcceptAsync("second");

        // Nothing replayed: the first request on the new connection is the caller's.
        var get = socket.GetAsync("/next").AsTask();
        var next = await second.ReceiveRequestAsync();
        Assert.Equal("/next", next.Url);
        await second.RespondAsync(next);
        await get.WaitAsync(TestTimeouts.Default);
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
