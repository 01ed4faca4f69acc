using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using SailSocket.Testing;
using SailSocket.UnitTests.Infrastructure;
using SailSocket.UnitTests.Sails;
using Xunit;

namespace SailSocket.UnitTests.Testing;

/// <summary>Requests through the in-memory fake server: routes, parameters, what is recorded, and what comes back.</summary>
public sealed class FakeSailsServerRequestTests
{
    [Fact]
    public async Task Route_SeesParamsQueryHeadersAndBody_AndItsResponseReachesTheClient()
    {
        await using var server = new FakeSailsServer();
        server.Post("/user/:id/pets/:pet", req => FakeResponse.Json(
            $$"""{"id":"{{req.Params["id"]}}","pet":"{{req.Params["pet"]}}","q":"{{req.Query["q"]}}","h":"{{req.Headers["X-Probe"]}}","a":{{req.Body.GetProperty("a").GetInt32()}}}""",
            201).WithHeader("x-reply", "yes"));
        await using var client = new SailsClient(server.CreateClientOptions());
        await using var socket = await client.ConnectAsync();

        var request = new SailsRequest("post", "/user/7/pets/Rex%20II?q=a+b") { Data = """{"a":42}"""u8.ToArray() };
        request.Headers["X-Probe"] = "P";
        var response = await socket.RequestAsync(request).AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal(201, response.StatusCode);
        Assert.Equal("yes", response.Headers["x-reply"]);
        Assert.Equal("""{"id":"7","pet":"Rex II","q":"a b","h":"P","a":42}""", response.Body.ToString());
        var recorded = Assert.Single(server.Received);
        Assert.Equal(("POST", "/user/7/pets/Rex%20II", "/user/:id/pets/:pet"), (recorded.Method, recorded.Path, recorded.RoutePath));
        Assert.Equal(socket.Id, recorded.SocketId);
        Assert.Equal("POST /user/7/pets/Rex%20II", recorded.ToString());
    }

    [Fact]
    public async Task UnknownRoute_Answers404NotFound_LikeSails_AndIsRecorded()
    {
        await using var server = new FakeSailsServer();
        server.Get("/known", _ => FakeResponse.Status(200));
        await using var client = new SailsClient(server.CreateClientOptions());
        await using var socket = await client.ConnectAsync();

        var wrongMethod = await socket.PostAsync("/known").AsTask().WaitAsync(TestTimeouts.Default);
        var wrongPath = await socket.GetAsync("/unknown").AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal((404, "\"Not Found\""), (wrongMethod.StatusCode, wrongMethod.Body.ToString()));
        Assert.Equal(404, wrongPath.StatusCode);
        Assert.All(server.Received, r => Assert.Null(r.RoutePath));
        Assert.Equal(2, server.Received.Count);
    }

    [Fact]
    public async Task TypedBodies_RoundTrip_ThroughJsonTypeInfo()
    {
        await using var server = new FakeSailsServer();
        server.Put("/orders/:id", req =>
        {
            var order = req.ReadBody(KitJsonContext.Default.KitOrder)!;
            return FakeResponse.Json(order with { State = order.State + "!" }, KitJsonContext.Default.KitOrder);
        });
        await using var client = new SailsClient(server.CreateClientOptions());
        await using var socket = await client.ConnectAsync();

        var response = await socket.PutAsJsonAsync("/orders/1", new KitOrder(1, "paid"), KitJsonContext.Default.KitOrder).AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal(new KitOrder(1, "paid!"), response.ReadBody(KitJsonContext.Default.KitOrder));
    }

    [Fact]
    public async Task HandlerThatThrows_Answers500_WithTheExceptionTypeAndMessage()
    {
        await using var server = new FakeSailsServer();
        server.Get("/boom", _ => throw new InvalidOperationException("kaput"));
        await using var client = new SailsClient(server.CreateClientOptions());
        await using var socket = await client.ConnectAsync();

        var response = await socket.GetAsync("/boom").AsTask().WaitAsync(TestTimeouts.Default);

        Assert.Equal((500, "InvalidOperationException: kaput"), (response.StatusCode, response.ReadBodyAsString()));
    }

    [Fact]
    public async Task Delay_RunsOnTheServersClock_SoAFakeClockDecidesWhenTheAnswerComes()
    {
        var clock = new ObservedClock();
        await using var server = new FakeSailsServer(new FakeSailsServerOptions { TimeProvider = clock });
        server.Get("/slow", _ => FakeResponse.Text("late").WithDelay(TimeSpan.FromSeconds(10)));
        await using var client = new SailsClient(server.CreateClientOptions());
        await using var socket = await client.ConnectAsync();

        var pending = socket.GetAsync("/slow").AsTask();
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(TestTimeouts.Quiet);
        Assert.False(pending.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("late", (await pending.WaitAsync(TestTimeouts.Default)).ReadBodyAsString());
    }

    [Fact]
    public async Task NoReply_LeavesTheRequestToTheClientsTimeout()
    {
        await using var server = new FakeSailsServer();
        server.Get("/never", _ => FakeResponse.NoReply);
        var options = server.CreateClientOptions();
        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = options.Url,
            WebSocketFactory = options.WebSocketFactory,
            RequestTimeout = TimeSpan.FromMilliseconds(300),
            TimerResolution = TimeSpan.FromMilliseconds(50),
        });
        await using var socket = await client.ConnectAsync();

        await Assert.ThrowsAsync<SailsTimeoutException>(() => socket.GetAsync("/never").AsTask().WaitAsync(TestTimeouts.Default));
        Assert.Equal("/never", Assert.Single(server.Received).Path);
    }

    [Fact]
    public async Task Recording_IsBounded_AndCountsWhatItDropped()
    {
        await using var server = new FakeSailsServer(new FakeSailsServerOptions { MaxRecordedRequests = 3 });
        server.Get("/n/:i", _ => FakeResponse.Status(200));
        await using var client = new SailsClient(server.CreateClientOptions());
        await using var socket = await client.ConnectAsync();

        for (var i = 0; i < 5; i++)
        {
            await socket.GetAsync($"/n/{i}").AsTask().WaitAsync(TestTimeouts.Default);
        }

        Assert.Equal(["2", "3", "4"], server.Received.Select(r => r.Params["i"]));
        Assert.Equal(2, server.DroppedRequestCount);
        server.ClearReceived();
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task WaitForRequest_ReturnsOneAlreadyReceived_OrTheNextThatMatches_OrTimesOut()
    {
        await using var server = new FakeSailsServer();
        await using var client = new SailsClient(server.CreateClientOptions());
        await using var socket = await client.ConnectAsync();
        await socket.GetAsync("/first").AsTask().WaitAsync(TestTimeouts.Default);

        var already = await server.WaitForRequestAsync(r => r.Path == "/first", TestTimeouts.Default);
        var next = server.WaitForRequestAsync(r => r.Method == "DELETE", TestTimeouts.Default);
        Assert.False(next.IsCompleted);
        _ = socket.DeleteAsync("/second?token=s3cret").AsTask();

        Assert.Equal("/first", already.Path);
        Assert.Equal("/second", (await next).Path);
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForRequestAsync(r => r.Path == "/never", TestTimeouts.Quiet));
        Assert.Contains("No matching request", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestWithoutUrl_GetsSailsParseError()
    {
        // The client never sends one; a raw WebSocket through the same factory plays a broken client.
        await using var server = new FakeSailsServer();
        var ws = await server.WebSocketFactory!(new Uri("ws://127.0.0.1:1/socket.io/?EIO=4&transport=websocket"), default);
        using var peer = ws;
        await RawClient.ExpectAsync(ws, "0{");
        await RawClient.SendAsync(ws, "40");
        await RawClient.ExpectAsync(ws, "40{\"sid\":");
        await RawClient.SendAsync(ws, "421[\"get\",{\"method\":\"get\",\"headers\":{},\"data\":{}}]");

        var reply = await RawClient.ExpectAsync(ws, "431[");
        using var json = JsonDocument.Parse(reply[3..]);
        Assert.Equal("SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ", json.RootElement[0].GetProperty("code").GetString());
        Assert.Empty(server.Received);
    }
}
