using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading.Tasks;
using SailSocket.Testing;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Testing;

/// <summary>The loopback mode: the same server over real TCP on 127.0.0.1, with a real ClientWebSocket.</summary>
public sealed class FakeSailsServerLoopbackTests
{
    [Fact]
    public async Task RealSocket_Requests_Events_HandshakeHeaders_AndDrop()
    {
        await using var server = await FakeSailsServer.StartLoopbackAsync();
        server.Get("/user/:id", req => FakeResponse.Json($$"""{"id":{{req.Params["id"]}}}"""));
        Assert.True(server.IsLoopback);
        Assert.Null(server.WebSocketFactory);
        Assert.Equal("127.0.0.1", server.Url.Host);
        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = server.Url,
            InitialConnectionHeaders = [new KeyValuePair<string, string>("Origin", "http://good.example")],
            Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromMilliseconds(50), RandomizationFactor = 0 },
        });
        await using var socket = await client.ConnectAsync().WaitAsync(TestTimeouts.Default);
        var fake = await server.WaitForSocketAsync(TestTimeouts.Default);
        var events = System.Threading.Channels.Channel.CreateUnbounded<string>();
        socket.On("hello", e => events.Writer.TryWrite(e.Data.ToString()));

        Assert.Equal("http://good.example", fake.HandshakeHeaders["origin"]);
        Assert.Equal("""{"id":7}""", (await socket.GetAsync("/user/7").AsTask().WaitAsync(TestTimeouts.Default)).Body.ToString());
        await fake.EmitJsonAsync("hello", "\"world\"");
        Assert.Equal("\"world\"", await events.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default));

        await fake.DropAsync().WaitAsync(TestTimeouts.Default);
        var second = await server.WaitForSocketAsync(TestTimeouts.Default);
        Assert.NotEqual(fake.Id, second.Id);
    }

    [Fact]
    public async Task Refusal_IsARawHttpResponse_ThatTheClientReportsWithItsStatusAndBody()
    {
        await using var server = await FakeSailsServer.StartLoopbackAsync();
        server.RefuseConnections(401, "token expired");
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url });

        var ex = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync().WaitAsync(TestTimeouts.Default));

        Assert.Equal(401, ex.HttpStatusCode);
        Assert.Contains("token expired", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttp_OutsideTheSocketPath_Is404_AndPollingIsRefused()
    {
        await using var server = await FakeSailsServer.StartLoopbackAsync();
        using var http = new HttpClient { Timeout = TestTimeouts.Default };

        var other = await http.GetAsync(new Uri(server.Url, "/user"));
        var polling = await http.GetAsync(new Uri(server.Url, "/socket.io/?EIO=4&transport=polling"));

        Assert.Equal(404, (int)other.StatusCode);
        Assert.Equal(400, (int)polling.StatusCode);
        Assert.Equal("""{"code":0,"message":"Transport unknown"}""", await polling.Content.ReadAsStringAsync());
    }
}
