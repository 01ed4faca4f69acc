using System.Collections.Concurrent;
using System.Text.Json;

namespace SailSocket.IntegrationTests;

/// <summary>Server-pushed events: rooms, blasts, direct emits, blueprint pubsub; handler registration and isolation.</summary>
public sealed class EventTests : SailsServerTestBase
{
    [Fact]
    public async Task Room_broadcast_reaches_every_member_and_not_others()
    {
        await using var alice = await ConnectAsync();
        await using var bob = await ConnectAsync();
        await using var outsider = await ConnectAsync();
        var room = "room-" + Guid.NewGuid().ToString("N");
        var aliceGot = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bobGot = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var outsiderGot = 0;
        alice.On("chat", e => aliceGot.TrySetResult(e));
        bob.On("chat", e => bobGot.TrySetResult(e));
        outsider.On("chat", _ => Interlocked.Increment(ref outsiderGot));
        var outsiderMarker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        outsider.On("direct", _ => outsiderMarker.TrySetResult());

        var ct = Bound.Seconds(15);
        Assert.Equal(200, (await alice.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct)).StatusCode);
        Assert.Equal(200, (await bob.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct)).StatusCode);
        var data = JsonSerializer.SerializeToElement(new ChatMessage("hi"), TestJson.Default.ChatMessage);
        await bob.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat", data), TestJson.Default.RoomData, ct);

        var a = await aliceGot.Task.Within(10);
        var b = await bobGot.Task.Within(10);
        Assert.Equal("chat", a.Name);
        Assert.Equal("hi", a.ReadData(TestJson.Default.ChatMessage)!.Text);
        Assert.Equal("hi", b.ReadData(TestJson.Default.ChatMessage)!.Text);

        // A marker event pushed to the outsider after the broadcast: its events reach the handlers one at a time in
        // arrival order, so once the marker's handler ran, a chat event sent to it by the broadcast would have been handled.
        await outsider.GetAsync("/push-to-me", ct);
        await outsiderMarker.Task.Within(10);
        Assert.Equal(0, Volatile.Read(ref outsiderGot));
    }

    [Fact]
    public async Task Broadcast_with_omitted_sender_skips_the_sender()
    {
        await using var alice = await ConnectAsync();
        await using var bob = await ConnectAsync();
        var room = "room-" + Guid.NewGuid().ToString("N");
        var aliceGot = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bobGot = 0;
        alice.On("chat", e => aliceGot.TrySetResult(e));
        bob.On("chat", _ => Interlocked.Increment(ref bobGot));
        var bobMarker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.On("direct", _ => bobMarker.TrySetResult());
        var ct = Bound.Seconds(15);
        await alice.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct);
        await bob.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct);
        await bob.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat", OmitSender: true), TestJson.Default.RoomData, ct);
        await aliceGot.Task.Within(10);

        // A marker event pushed to bob after the broadcast (events are handled in arrival order): had the broadcast
        // reached bob, his chat handler would have run before the marker's.
        await bob.GetAsync("/push-to-me", ct);
        await bobMarker.Task.Within(10);
        Assert.Equal(0, Volatile.Read(ref bobGot));
    }

    [Fact]
    public async Task Default_event_name_is_message_and_direct_emits_arrive()
    {
        await using var socket = await ConnectAsync();
        var room = "room-" + Guid.NewGuid().ToString("N");
        var message = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var direct = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.On("message", e => message.TrySetResult(e));
        socket.On("direct", e => direct.TrySetResult(e));
        var ct = Bound.Seconds(15);
        await socket.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct);
        await socket.PostAsJsonAsync("/room/broadcast-default", new RoomData(room), TestJson.Default.RoomData, ct);
        await socket.GetAsync("/push-to-me", ct);
        Assert.Equal("default event name", (await message.Task.Within(10)).ReadDataAsElement().GetProperty("text").GetString());
        Assert.Equal("you", (await direct.Task.Within(10)).ReadDataAsElement().GetProperty("hello").GetString());
    }

    [Fact]
    public async Task Blueprint_pubsub_events_reach_a_subscribed_socket()
    {
        await using var watcher = await ConnectAsync();
        await using var actor = await ConnectAsync();
        var events = new BlockingCollection<PetEvent>();
        watcher.On("pet", e => events.Add(e.ReadData(TestJson.Default.PetEvent)!));
        var ct = Bound.Seconds(20);

        // find subscribes the watcher to creations (autoWatch) and to every returned record.
        Assert.Equal(200, (await watcher.GetAsync("/pet", ct)).StatusCode);
        var created = (await actor.PostAsJsonAsync("/pet", new PetData("Pubsub"), TestJson.Default.PetData, ct)).ReadBody(TestJson.Default.Pet)!;
        var createdEvent = Take(events, e => e.Id == created.Id);
        Assert.Equal("created", createdEvent.Verb);
        Assert.Equal("Pubsub", createdEvent.Data.GetProperty("name").GetString());

        // The watcher subscribes to the new record, then sees it updated and destroyed.
        await watcher.GetAsync($"/pet/{created.Id}", ct);
        await actor.PatchAsJsonAsync($"/pet/{created.Id}", new PetData("Pubsub2"), TestJson.Default.PetData, ct);
        Assert.Equal("updated", Take(events, e => e.Id == created.Id).Verb);
        await actor.DeleteAsync($"/pet/{created.Id}", ct);
        Assert.Equal("destroyed", Take(events, e => e.Id == created.Id).Verb);
    }

    [Fact]
    public async Task Off_and_disposing_a_registration_stop_delivery_and_other_handlers_still_run()
    {
        await using var socket = await ConnectAsync();
        var room = "room-" + Guid.NewGuid().ToString("N");
        var first = 0;
        var second = 0;
        var third = new BlockingCollection<SailsEvent>();
        void First(SailsEvent e) => Interlocked.Increment(ref first);
        socket.On("chat", First);
        var registration = socket.On("chat", _ => Interlocked.Increment(ref second));
        socket.On("chat", third.Add);
        var ct = Bound.Seconds(15);
        await socket.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct);

        await socket.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat"), TestJson.Default.RoomData, ct);
        Assert.True(third.TryTake(out _, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, Volatile.Read(ref first));
        Assert.Equal(1, Volatile.Read(ref second));

        registration.Dispose();
        registration.Dispose();
        Assert.True(socket.Off("chat", First));
        Assert.False(socket.Off("chat", First));
        await socket.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat"), TestJson.Default.RoomData, ct);
        Assert.True(third.TryTake(out _, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, Volatile.Read(ref first));
        Assert.Equal(1, Volatile.Read(ref second));

        Assert.True(socket.Off("chat"));
        Assert.False(socket.Off("chat"));
    }

    [Fact]
    public async Task A_throwing_handler_is_reported_and_later_events_still_arrive_in_order()
    {
        await using var socket = await ConnectAsync();
        var room = "room-" + Guid.NewGuid().ToString("N");
        var errors = new BlockingCollection<SailsHandlerExceptionEventArgs>();
        var received = new BlockingCollection<string>();
        socket.HandlerException += (_, e) => errors.Add(e);
        socket.On("chat", e =>
        {
            var text = e.ReadData(TestJson.Default.ChatMessage)!.Text;
            received.Add(text);
            if (text == "0")
            {
                throw new InvalidOperationException("handler failure");
            }
        });
        var ct = Bound.Seconds(30);
        await socket.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct);
        for (var i = 0; i < 20; i++)
        {
            var data = JsonSerializer.SerializeToElement(new ChatMessage(i.ToString()), TestJson.Default.ChatMessage);
            await socket.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat", data), TestJson.Default.RoomData, ct);
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.True(received.TryTake(out var text, TimeSpan.FromSeconds(10)));
            Assert.Equal(i.ToString(), text);
        }

        Assert.True(errors.TryTake(out var error, TimeSpan.FromSeconds(5)));
        Assert.Equal("handler failure", error.Exception.Message);
        Assert.True(socket.IsConnected);
    }

    [Fact]
    public async Task A_server_emit_asking_for_an_ack_is_acknowledged()
    {
        await using var socket = await ConnectAsync();
        var question = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.On("question", e => question.TrySetResult(e));
        var response = await socket.GetAsync("/ask-me", Bound.Seconds(10));
        Assert.Equal(200, response.StatusCode);
        Assert.True(response.ReadBodyAsElement().GetProperty("acked").GetBoolean());
        Assert.Equal("are you there?", (await question.Task.Within(5)).ReadDataAsElement().GetProperty("q").GetString());
    }

    private static PetEvent Take(BlockingCollection<PetEvent> events, Func<PetEvent, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (events.TryTake(out var e, TimeSpan.FromMilliseconds(200)) && match(e))
            {
                return e;
            }
        }

        throw new TimeoutException("The expected pet event did not arrive within 10 s.");
    }
}
