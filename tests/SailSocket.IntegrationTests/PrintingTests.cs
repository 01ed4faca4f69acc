using System.Text.Json;

namespace SailSocket.IntegrationTests;

/// <summary>Printing what a real server sent: a response, its body and an event's data show as their JSON text.</summary>
public sealed class PrintingTests : SailsServerTestBase
{
    [Fact]
    public async Task A_real_response_and_its_body_print_as_JSON()
    {
        await using var socket = await ConnectAsync();
        var ct = Bound.Seconds(15);

        var teapot = await socket.GetAsync("/status/418", ct);
        Assert.Equal("""{"youAskedFor":418}""", $"{teapot.Body}");
        Assert.Equal("""418 {"youAskedFor":418}""", $"{teapot}");

        var unicode = await socket.GetAsync("/unicode", ct);
        Assert.Equal("héllo wörld ✓ 😀", JsonDocument.Parse($"{unicode.Body}").RootElement.GetProperty("text").GetString());
        Assert.Contains("héllo wörld ✓ 😀", $"{unicode.Body}", StringComparison.Ordinal);

        var echo = await socket.GetAsync("/echo?hello=world", ct);
        var printed = $"{echo.Body}";
        Assert.StartsWith("{", printed, StringComparison.Ordinal);
        Assert.Equal("/echo?hello=world", JsonDocument.Parse(printed).RootElement.GetProperty("url").GetString());
        Assert.StartsWith("200 {", $"{echo}", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_real_event_and_its_data_print_as_JSON()
    {
        await using var socket = await ConnectAsync();
        var room = "room-" + Guid.NewGuid().ToString("N");
        var chat = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.On("chat", e => chat.TrySetResult(e));
        var ct = Bound.Seconds(15);
        await socket.PostAsJsonAsync("/room/join", new RoomData(room), TestJson.Default.RoomData, ct);
        await socket.PostAsJsonAsync("/room/broadcast", new RoomData(room, "chat"), TestJson.Default.RoomData, ct);

        var e = await chat.Task.Within(10);
        Assert.Equal("""{"text":"hello room"}""", $"{e.Data}");
        Assert.Equal("""chat {"text":"hello room"}""", $"{e}");
    }
}
