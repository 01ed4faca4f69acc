namespace SailSocket.IntegrationTests;

/// <summary>Many sockets in one process, used at once (services and test harnesses).</summary>
public sealed class ConcurrencyTests : SailsServerTestBase
{
    [Fact]
    public async Task Two_sockets_are_independent()
    {
        await using var a = await ConnectAsync();
        await using var b = await ConnectAsync();
        Assert.NotEqual(a.Id, b.Id);
        var ct = Bound.Seconds(20);
        var ra = Task.WhenAll(Enumerable.Range(0, 20).Select(i => a.GetAsync($"/echo?i={i}", ct).AsTask()));
        var rb = Task.WhenAll(Enumerable.Range(0, 20).Select(i => b.GetAsync($"/echo?i={i}", ct).AsTask()));
        Assert.All(await ra, r => Assert.Equal(a.Id, r.ReadBody(TestJson.Default.EchoReply)!.SocketId));
        Assert.All(await rb, r => Assert.Equal(b.Id, r.ReadBody(TestJson.Default.EchoReply)!.SocketId));
        await a.DisposeAsync();
        Assert.True(b.IsConnected);
        Assert.Equal(200, (await b.GetAsync("/echo", ct)).StatusCode);
    }

    [Fact]
    public async Task A_hundred_sockets_connect_and_request_concurrently()
    {
        var ct = Bound.Seconds(60);
        var sockets = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Client.ConnectAsync(ct)));
        try
        {
            Assert.Equal(100, sockets.Select(s => s.Id).Distinct().Count());
            var responses = await Task.WhenAll(sockets.SelectMany((s, i) => Enumerable.Range(0, 3).Select(k => Check(s, i, k, ct))));
            Assert.Equal(300, responses.Length);
        }
        finally
        {
            await Task.WhenAll(sockets.Select(s => s.DisposeAsync().AsTask())).Within(30);
        }

        static async Task<bool> Check(SailsSocket socket, int i, int k, CancellationToken ct)
        {
            var echo = (await socket.GetAsync($"/echo?socket={i}&k={k}", ct)).ReadBody(TestJson.Default.EchoReply)!;
            Assert.Equal(socket.Id, echo.SocketId);
            Assert.Equal(i.ToString(), echo.Query.GetProperty("socket").GetString());
            return true;
        }
    }
}
