using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Parity;

/// <summary>The transports and revision options through the public API, against the real app (which enables polling).</summary>
public sealed class TransportOptionTests : SailsServerTestBase
{
    public static TheoryData<EngineTransports, EngineRevisionSelection> Combinations => new()
    {
        { EngineTransports.WebSocket, EngineRevisionSelection.V4 },
        { EngineTransports.WebSocket, EngineRevisionSelection.V3 },
        { EngineTransports.Polling, EngineRevisionSelection.V4 },
        { EngineTransports.Polling, EngineRevisionSelection.V3 },
        { EngineTransports.PollingThenUpgrade, EngineRevisionSelection.V4 },
        { EngineTransports.PollingThenUpgrade, EngineRevisionSelection.V3 },
        { EngineTransports.WebSocket, EngineRevisionSelection.Auto },
    };

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task Requests_events_and_binary_work_on_every_transport_and_revision(EngineTransports transports, EngineRevisionSelection revision)
    {
        await using var client = new SailsClient(new SailsClientOptions { Url = Server.Url, Transports = transports, Revision = revision, RequestTimeout = TimeSpan.FromSeconds(10), ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var socket = await client.ConnectAsync(Bound.Seconds(20));
        var ct = Bound.Seconds(20);
        var echo = (await socket.PostAsJsonAsync("/echo", new PetData("Rex", "dog"), TestJson.Default.PetData, ct)).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal(socket.Id, echo.SocketId);
        Assert.Equal("Rex", echo.Body.GetProperty("name").GetString());

        var direct = new TaskCompletionSource<SailsEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.On("direct", e => direct.TrySetResult(e));
        await socket.GetAsync("/push-to-me", ct);
        Assert.Equal("you", (await direct.Task.Within(10)).ReadDataAsElement().GetProperty("hello").GetString());

        Assert.True((await socket.GetAsync("/binary", ct)).TryGetBinaryBody(out var bytes));
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, bytes.ToArray());

        var unicode = await socket.PostAsJsonAsync("/unicode", new TextData("é😀"), TestJson.Default.TextData, ct);
        Assert.Equal("é😀", unicode.ReadBody(TestJson.Default.UnicodeReply)!.Received);
    }
}
