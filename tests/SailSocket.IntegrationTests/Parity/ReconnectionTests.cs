using System.Collections.Concurrent;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Parity;

/// <summary>Reconnection, the request queue and subscription replay across real server restarts.</summary>
public sealed class ReconnectionTests
{
    private static readonly SailsReconnectionOptions s_fast = new() { Enabled = true, Delay = TimeSpan.FromMilliseconds(200), DelayMax = TimeSpan.FromMilliseconds(500) };

    [Fact]
    public async Task Requests_made_before_the_server_is_even_lifted_complete_once_it_is()
    {
        var port = ConnectionTests.FreePort();
        await using var client = new SailsClient(new SailsClientOptions { Url = new Uri($"http://127.0.0.1:{port}"), Reconnection = s_fast });
        await using var socket = client.CreateSocket();
        var errors = new ConcurrentQueue<SailsConnectionEventArgs>();
        socket.ConnectError += (_, e) => errors.Enqueue(e);
        var ct = Bound.Seconds(60);
        var posts = Enumerable.Range(0, 3).Select(i => socket.PostAsJsonAsync("/pet", new PetData($"early-{i}"), TestJson.Default.PetData, ct).AsTask()).ToArray();
        Assert.NotEqual(SailsSocketState.Connected, socket.State);

        await using var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["PORT"] = port.ToString() });
        var responses = await Task.WhenAll(posts).Within(30);
        Assert.All(responses, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(SailsSocketState.Connected, socket.State);
        Assert.NotEmpty(errors);

        // Exactly once: the fresh server holds exactly the three pets, created in the order they were requested.
        var pets = await socket.GetFromJsonAsync("/pet?sort=id%20ASC", TestJson.Default.PetArray, ct);
        Assert.Equal(["early-0", "early-1", "early-2"], pets!.Select(p => p.Name));
    }

    [Fact]
    public async Task A_restarted_server_gets_queued_requests_once_subscriptions_replayed_and_events_flow_again()
    {
        var server = await SailsServer.StartAsync();
        var port = server.Port;
        var options = new SailsClientOptions { Url = server.Url, Reconnection = s_fast, RequestTimeout = TimeSpan.FromSeconds(30) };
        await using var client = new SailsClient(options);
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var room = "room-" + Guid.NewGuid().ToString("N");
        var lifecycle = new ConcurrentQueue<string>();
        socket.Disconnected += (_, e) => lifecycle.Enqueue($"disconnected:{e.Reason}");
        socket.Reconnecting += (_, e) => lifecycle.Enqueue($"reconnecting:{e.Attempt}");
        socket.Reconnected += (_, e) => lifecycle.Enqueue($"reconnected:{e.Attempt}");
        var attemptFailed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.ConnectError += (_, _) => attemptFailed.TrySetResult();
        var resubscribed = new BlockingCollection<SailsResubscribedEventArgs>();
        socket.Resubscribed += (_, e) => resubscribed.Add(e);
        var chats = new BlockingCollection<SailsEvent>();
        socket.On("chat", chats.Add);

        var join = new SailsRequest("post", "/room/join") { Data = System.Text.Encoding.UTF8.GetBytes($$"""{"room":"{{room}}"}""") };
        using var subscription = await socket.SubscribeAsync(join, Bound.Seconds(10));
        var firstId = socket.Id;
        var inFlight = socket.GetAsync("/slow?ms=5000", Bound.Seconds(30)).AsTask();

        // Requests go out and are handled in order: once a later one is answered, the server is working on the slow one.
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);

        await server.DisposeAsync();
        await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => inFlight.Within(10));
        var queued = Enumerable.Range(0, 3).Select(i => socket.PostAsJsonAsync("/pet", new PetData($"queued-{i}"), TestJson.Default.PetData, Bound.Seconds(60)).AsTask()).ToArray();

        // A reconnection attempt has failed against the dead port: the socket keeps reconnecting, the requests wait.
        await attemptFailed.Task.Within(10);
        Assert.Equal(SailsSocketState.Reconnecting, socket.State);
        Assert.All(queued, q => Assert.False(q.IsCompleted));

        await using var restarted = await SailsServer.StartAsync(new Dictionary<string, string> { ["PORT"] = port.ToString() });
        Assert.All(await Task.WhenAll(queued).Within(30), r => Assert.Equal(200, r.StatusCode));
        Assert.NotEqual(firstId, socket.Id);

        Assert.True(resubscribed.TryTake(out var replay, TimeSpan.FromSeconds(10)));
        Assert.True(replay.Succeeded);
        Assert.Same(subscription, replay.Subscription);

        // The replayed join put the new socket id back in the room: a broadcast reaches it.
        await using var other = await client.ConnectAsync(Bound.Seconds(15));
        await other.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat"), TestJson.Default.RoomData, Bound.Seconds(10));
        Assert.True(chats.TryTake(out _, TimeSpan.FromSeconds(10)));

        var pets = await socket.GetFromJsonAsync("/pet", TestJson.Default.PetArray, Bound.Seconds(10));
        Assert.Equal(3, pets!.Length);
        Assert.Contains("disconnected:TransportClose", lifecycle);
        Assert.Contains("reconnecting:1", lifecycle);
        Assert.Contains(lifecycle, l => l.StartsWith("reconnected:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reconnection_gives_up_after_its_attempts_and_fails_what_was_queued()
    {
        var server = await SailsServer.StartAsync();
        var reconnection = new SailsReconnectionOptions { Enabled = true, Attempts = 2, Delay = TimeSpan.FromMilliseconds(100), DelayMax = TimeSpan.FromMilliseconds(200) };
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, Reconnection = reconnection });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var attempts = new ConcurrentQueue<int>();
        var failed = new TaskCompletionSource<SailsConnectionEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Reconnecting += (_, e) => attempts.Enqueue(e.Attempt);
        socket.ReconnectFailed += (_, e) => failed.TrySetResult(e);
        await server.DisposeAsync();
        await Bound.Until(() => socket.State != SailsSocketState.Connected, 10);
        var queued = socket.GetAsync("/echo", Bound.Seconds(30)).AsTask();

        var args = await failed.Task.Within(15);
        Assert.Equal(2, args.Attempt);
        Assert.Equal([1, 2], attempts);
        await Assert.ThrowsAsync<SailsConnectionException>(() => queued.Within(10));
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
        await Assert.ThrowsAsync<SailsConnectionException>(() => socket.GetAsync("/echo").AsTask());
    }

    [Fact]
    public async Task A_server_side_disconnect_is_not_followed_by_a_reconnect()
    {
        var shared = await SharedSailsServer.GetAsync();
        await using var client = new SailsClient(new SailsClientOptions { Url = shared.Url, Reconnection = s_fast });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var reconnecting = 0;
        socket.Reconnecting += (_, _) => Interlocked.Increment(ref reconnecting);
        var disconnected = new TaskCompletionSource<SailsDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Disconnected += (_, e) => disconnected.TrySetResult(e);
        await socket.GetAsync("/disconnect-me", Bound.Seconds(10));
        Assert.Equal(SailsDisconnectReason.ServerDisconnect, (await disconnected.Task.Within(10)).Reason);

        // The socket decides whether to reconnect before it raises Disconnected (a reconnection sets Reconnecting then,
        // and only the application starts one later): Disconnected now means no reconnection was or will be started.
        Assert.Equal(SailsSocketState.Disconnected, socket.State);
        Assert.Equal(0, Volatile.Read(ref reconnecting));

        // The application may decide otherwise.
        await socket.ConnectAsync(Bound.Seconds(15));
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
    }

    [Fact]
    public async Task ReconnectAsync_gives_a_new_connection_and_the_handshake_callback_runs_on_every_attempt()
    {
        var shared = await SharedSailsServer.GetAsync();
        var calls = 0;
        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = shared.Url,
            ConfigureHandshake = (handshake, ct) =>
            {
                var n = Interlocked.Increment(ref calls);
                handshake.Headers.Add(new("Cookie", $"token=t{n}"));
                return ValueTask.CompletedTask;
            },
        });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var first = (await socket.GetAsync("/echo", Bound.Seconds(10))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Contains("token=t1", first.Headers.Cookie);

        var inFlight = socket.GetAsync("/slow?ms=3000", Bound.Seconds(20)).AsTask();

        // Requests go out and are handled in order: once a later one is answered, the server is working on the slow one.
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
        await socket.ReconnectAsync(Bound.Seconds(15));
        await Assert.ThrowsAsync<SailsRequestInterruptedException>(() => inFlight.Within(10));
        var second = (await socket.GetAsync("/echo", Bound.Seconds(10))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Contains("token=t2", second.Headers.Cookie);
        Assert.NotEqual(first.SocketId, second.SocketId);
    }

    [Fact]
    public async Task The_queue_is_bounded_and_queued_requests_honour_timeout_and_cancellation()
    {
        var port = ConnectionTests.FreePort();
        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = new Uri($"http://127.0.0.1:{port}"),
            Reconnection = s_fast,
            MaxQueuedRequests = 2,
        });
        await using var socket = client.CreateSocket();
        var timed = socket.RequestAsync(new SailsRequest("get", "/echo") { Timeout = TimeSpan.FromMilliseconds(500) }, Bound.Seconds(10)).AsTask();
        using var cts = new CancellationTokenSource();
        var cancelled = socket.GetAsync("/echo", cts.Token).AsTask();
        var full = await Assert.ThrowsAsync<SailsLimitExceededException>(() => socket.GetAsync("/echo", Bound.Seconds(10)).AsTask());
        Assert.Equal(nameof(SailsClientOptions.MaxQueuedRequests), full.OptionName);
        Assert.Equal(2, full.Limit);

        cts.Cancel();
        var cancellation = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Within(5));
        Assert.Equal(cts.Token, cancellation.CancellationToken);
        await Assert.ThrowsAsync<SailsTimeoutException>(() => timed.Within(5));

        // Both left the queue: there is room again.
        var again = socket.GetAsync("/echo", Bound.Seconds(10)).AsTask();
        await socket.DisconnectAsync();
        await Assert.ThrowsAsync<SailsConnectionException>(() => again.Within(5));
    }
}
