using System.Net;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Security;

/// <summary>
/// Sails' own session cookie (<c>sails.sid</c>), set over HTTP by the cookie route or <c>/csrfToken</c>, is kept in the
/// client's store and the sockets' session is the one it names: shared by a client's sockets as by a browser's tabs,
/// unless a socket brings its own store.
/// </summary>
public sealed class SessionCookieTests : SailsServerTestBase
{
    [Fact]
    public async Task The_cookie_route_session_is_kept_and_shared_by_the_clients_sockets()
    {
        await using var sails = new SailsClient(new SailsClientOptions { Url = Server.Url, UseCorsRouteToGetCookie = true, ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var first = await sails.ConnectAsync(Bound.Seconds(15));
        var sid = sails.Cookies.GetCookies(Server.Url)["sails.sid"]?.Value;
        Assert.NotNull(sid);
        Assert.Equal(1, await SessionCountAsync(first));
        Assert.Equal(2, await SessionCountAsync(first));

        // A second socket of the same client visits the cookie route with the stored cookie, so it joins the session.
        await using var second = await sails.ConnectAsync(Bound.Seconds(15));
        Assert.Equal(3, await SessionCountAsync(second));
        Assert.Equal(sid, sails.Cookies.GetCookies(Server.Url)["sails.sid"]?.Value);

        // A socket with a store of its own has a session of its own.
        var own = new CookieContainer();
        await using var alone = await sails.ConnectAsync(new SailsSocketOptions { Cookies = own }, Bound.Seconds(15));
        Assert.Equal(1, await SessionCountAsync(alone));
        Assert.NotEqual(sid, own.GetCookies(Server.Url)["sails.sid"]?.Value);
        Assert.Equal(4, await SessionCountAsync(first));
    }

    [Fact]
    public async Task A_session_cookie_seeded_into_the_store_is_the_sockets_session()
    {
        await using var seeder = new SailsClient(new SailsClientOptions { Url = Server.Url, UseCorsRouteToGetCookie = true, ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var browser = await seeder.ConnectAsync(Bound.Seconds(15));
        Assert.Equal(1, await SessionCountAsync(browser));

        // Another client, no cookie route: the user hands it the cookie through the store, not a header.
        await using var sails = new SailsClient(new SailsClientOptions { Url = Server.Url, ConnectTimeout = TimeSpan.FromSeconds(10) });
        sails.Cookies.Add(seeder.Cookies.GetCookies(Server.Url));
        await using var socket = await sails.ConnectAsync(Bound.Seconds(15));
        Assert.Equal(2, await SessionCountAsync(socket));
    }

    [Fact]
    public async Task The_CSRF_token_and_the_socket_share_the_session_without_handling_the_cookie()
    {
        await using var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["CSRF"] = "1" }).Within(150);
        await using var sails = new SailsClient(new SailsClientOptions { Url = server.Url, ConnectTimeout = TimeSpan.FromSeconds(10) });

        // GET /csrfToken starts a session and sets sails.sid: the store keeps it and the socket's handshake sends it.
        var token = await sails.GetCsrfTokenAsync(cancellationToken: Bound.Seconds(10));
        Assert.NotNull(sails.Cookies.GetCookies(server.Url)["sails.sid"]);
        await using var socket = await sails.ConnectAsync(Bound.Seconds(15));
        var request = new SailsRequest("post", "/echo");
        request.Headers["x-csrf-token"] = token;
        Assert.Equal(200, (await socket.RequestAsync(request, Bound.Seconds(10))).StatusCode);

        // The token of another session is refused: the session really is the cookie's.
        await using var other = await sails.ConnectAsync(new SailsSocketOptions { Cookies = new CookieContainer() }, Bound.Seconds(15));
        Assert.Equal(403, (await other.RequestAsync(request, Bound.Seconds(10))).StatusCode);
    }

    private static async Task<int> SessionCountAsync(SailsSocket socket)
    {
        var response = await socket.GetAsync("/session", Bound.Seconds(10));
        Assert.Equal(200, response.StatusCode);
        return response.ReadBodyAsElement().GetProperty("count").GetInt32();
    }
}
