namespace SailSocket.IntegrationTests.Parity;

/// <summary>
/// A socket's <see cref="SailsSocketOptions.Headers"/> add to the client's <see cref="SailsClientOptions.Headers"/>; a name
/// set on both takes the socket's value. Seen end to end through what <c>GET /echo</c> received.
/// </summary>
public sealed class SocketHeadersTests : SailsServerTestBase
{
    [Fact]
    public async Task Socket_headers_add_to_the_clients_and_win_on_a_shared_name()
    {
        await using var sails = new SailsClient(new SailsClientOptions
        {
            Url = Server.Url,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            Headers = new Dictionary<string, string> { ["x-global"] = "from-client", ["x-probe"] = "client-probe" },
        });
        var ct = Bound.Seconds(15);

        // A default socket: the client's headers.
        await using var plain = await sails.ConnectAsync(ct);
        var seen = await EchoHeadersAsync(plain, ct);
        Assert.Equal("from-client", seen.XGlobal);
        Assert.Equal("client-probe", seen.XProbe);

        // A socket with a header of its own: added to the client's, and on a shared name (any case) the socket's wins.
        await using var own = await sails.ConnectAsync(new SailsSocketOptions { Headers = new Dictionary<string, string> { ["X-Probe"] = "socket-17" } }, ct);
        seen = await EchoHeadersAsync(own, ct);
        Assert.Equal("from-client", seen.XGlobal);
        Assert.Equal("socket-17", seen.XProbe);

        // A request header still wins over both.
        var request = new SailsRequest("get", "/echo");
        request.Headers["x-probe"] = "request";
        seen = (await own.RequestAsync(request, ct)).ReadBody(TestJson.Default.EchoReply)!.Headers;
        Assert.Equal("request", seen.XProbe);
        Assert.Equal("from-client", seen.XGlobal);
    }

    private static async Task<EchoHeaders> EchoHeadersAsync(SailsSocket socket, CancellationToken ct) =>
        (await socket.GetFromJsonAsync("/echo", TestJson.Default.EchoReply, ct))!.Headers;
}
