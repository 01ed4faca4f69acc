using System.Collections.Concurrent;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Parity;

/// <summary>
/// Sessions and CSRF as a user meets them (the recipe <c>ConfigureHandshake = async (h, ct) => await h.AddCsrfTokenAsync(ct)</c>),
/// against the real app with CSRF protection on (<c>CSRF=1</c>): the token is fetched for the session each handshake
/// carries, so POSTs and replayed CSRF-protected subscriptions keep working across a server restart.
/// </summary>
public sealed class CsrfSessionTests
{
    private static readonly SailsReconnectionOptions s_fast = new() { Enabled = true, Delay = TimeSpan.FromMilliseconds(200), DelayMax = TimeSpan.FromMilliseconds(500) };

    private static Dictionary<string, string> Csrf(int? port = null)
    {
        var environment = new Dictionary<string, string> { ["CSRF"] = "1" };
        if (port is { } p)
        {
            environment["PORT"] = p.ToString();
        }

        return environment;
    }

    [Fact]
    public async Task A_CSRF_protected_POST_succeeds_with_the_handshake_recipe_and_is_refused_without_a_token()
    {
        await using var server = await SailsServer.StartAsync(Csrf()).Within(150);
        var tokens = new ConcurrentQueue<string>();
        await using var sails = new SailsClient(new SailsClientOptions
        {
            Url = server.Url,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConfigureHandshake = async (h, ct) => tokens.Enqueue(await h.AddCsrfTokenAsync(ct)),
        });
        await using var socket = await sails.ConnectAsync(Bound.Seconds(15));
        var ct = Bound.Seconds(20);

        var created = await socket.PostAsJsonAsync("/pet", new PetData("Csrf"), TestJson.Default.PetData, ct);
        Assert.Equal(200, created.StatusCode);
        Assert.Equal("Csrf", created.ReadBody(TestJson.Default.Pet)!.Name);
        Assert.NotEmpty(Assert.Single(tokens));

        // The same socket with the token left out: Sails refuses it, so the token is what made the POST pass.
        var bare = new SailsRequest("post", "/echo");
        bare.OmittedDefaultHeaders.Add("x-csrf-token");
        Assert.Equal(403, (await socket.RequestAsync(bare, ct)).StatusCode);
        Assert.Equal(200, (await socket.PostAsync("/echo", ct)).StatusCode);

        // A client without the recipe: no token, 403 — an answer, not an exception. GET needs no token.
        await using var plain = new SailsClient(new SailsClientOptions { Url = server.Url, ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var unprotected = await plain.ConnectAsync(Bound.Seconds(15));
        var refused = await unprotected.PostAsJsonAsync("/pet", new PetData("NoToken"), TestJson.Default.PetData, ct);
        Assert.Equal(403, refused.StatusCode);
        Assert.False(refused.IsSuccessStatusCode);
        Assert.Equal(200, (await unprotected.GetAsync("/echo", ct)).StatusCode);

        // A second socket of the recipe's client fetches a token of its own for its handshake.
        await using var second = await sails.ConnectAsync(Bound.Seconds(15));
        Assert.Equal(200, (await second.PostAsync("/echo", ct)).StatusCode);
        Assert.Equal(2, tokens.Count);
    }

    [Fact]
    public async Task The_recipe_per_socket_works_through_SailsSocketOptions_too()
    {
        await using var server = await SailsServer.StartAsync(Csrf()).Within(150);
        await using var sails = new SailsClient(new SailsClientOptions { Url = server.Url, ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var socket = await sails.ConnectAsync(
            new SailsSocketOptions { ConfigureHandshake = async (h, ct) => await h.AddCsrfTokenAsync(ct) },
            Bound.Seconds(15));
        Assert.Equal(200, (await socket.PostAsJsonAsync("/pet", new PetData("PerSocket"), TestJson.Default.PetData, Bound.Seconds(10))).StatusCode);
    }

    [Fact]
    public async Task After_a_server_restart_POSTs_and_a_replayed_CSRF_protected_subscription_use_a_fresh_token()
    {
        var server = await SailsServer.StartAsync(Csrf()).Within(150);
        var port = server.Port;
        var tokens = new ConcurrentQueue<string>();
        await using var sails = new SailsClient(new SailsClientOptions
        {
            Url = server.Url,
            Reconnection = s_fast,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            RequestTimeout = TimeSpan.FromSeconds(30),
            ConfigureHandshake = async (h, ct) => tokens.Enqueue(await h.AddCsrfTokenAsync(ct)),
        });
        await using var socket = await sails.ConnectAsync(Bound.Seconds(15));
        var resubscribed = new BlockingCollection<SailsResubscribedEventArgs>();
        socket.Resubscribed += (_, e) => resubscribed.Add(e);
        var chats = new BlockingCollection<SailsEvent>();
        socket.On("chat", chats.Add);

        // POST /room/join is CSRF-protected: the subscription is made with the first session's token.
        var room = "room-" + Guid.NewGuid().ToString("N");
        var join = new SailsRequest("post", "/room/join") { Data = System.Text.Encoding.UTF8.GetBytes($$"""{"room":"{{room}}"}""") };
        using var subscription = await socket.SubscribeAsync(join, Bound.Seconds(10));
        Assert.Equal(200, subscription.LastResponse?.StatusCode);
        Assert.Equal(200, (await socket.PostAsJsonAsync("/pet", new PetData("BeforeRestart"), TestJson.Default.PetData, Bound.Seconds(10))).StatusCode);
        var firstId = socket.Id;

        // The in-memory session store goes with the server: every old session and token is gone.
        await server.DisposeAsync();
        await Bound.Until(() => socket.State != SailsSocketState.Connected, 10);
        await using var restarted = await SailsServer.StartAsync(Csrf(port)).Within(150);

        var replay = resubscribed.TryTake(out var r, TimeSpan.FromSeconds(30)) ? r : throw new TimeoutException("No Resubscribed within 30 s.");
        Assert.Same(subscription, replay.Subscription);
        Assert.Null(replay.Exception);
        Assert.True(replay.Succeeded, $"Resubscribed: status {replay.Response?.StatusCode}, body {replay.Response?.Body}");
        Assert.InRange(replay.Response!.StatusCode, 200, 299);
        Assert.Equal(SailsSocketState.Connected, socket.State);
        Assert.NotEqual(firstId, socket.Id);

        // A POST on the reconnected socket carries the token fetched for its new session.
        Assert.Equal(200, (await socket.PostAsJsonAsync("/pet", new PetData("AfterRestart"), TestJson.Default.PetData, Bound.Seconds(10))).StatusCode);
        Assert.True(tokens.Count >= 2);
        Assert.NotEqual(tokens.First(), tokens.Last());

        // The replayed join really put the new socket in the room.
        await using var other = await sails.ConnectAsync(Bound.Seconds(15));
        Assert.Equal(200, (await other.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat"), TestJson.Default.RoomData, Bound.Seconds(10))).StatusCode);
        Assert.True(chats.TryTake(out _, TimeSpan.FromSeconds(10)));
    }
}
