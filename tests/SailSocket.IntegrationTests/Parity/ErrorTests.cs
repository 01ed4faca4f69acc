using System.Net.Http;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Parity;

/// <summary>Errors that say why: error statuses, parse errors, CSRF, sessions.</summary>
public sealed class ErrorTests : SailsServerTestBase
{
    [Fact]
    public async Task EnsureSuccessStatusCode_and_typed_gets_throw_with_status_and_body()
    {
        await using var socket = await ConnectAsync();
        var ok = await socket.GetAsync("/status/201", Bound.Seconds(10));
        Assert.Same(ok, ok.EnsureSuccessStatusCode());
        Assert.Equal(302, (await socket.GetAsync("/redirect", Bound.Seconds(10))).EnsureSuccessStatusCode().StatusCode);

        var error = await Assert.ThrowsAsync<SailsRequestException>(() => socket.GetFromJsonAsync("/bad-request", TestJson.Default.Pet, Bound.Seconds(10)).AsTask());
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("bad input", error.Response.ReadBodyAsElement().GetProperty("problem").GetString());
        Assert.Contains("GET /bad-request", error.Message);

        var pet = await socket.GetFromJsonAsync("/pet?limit=1", TestJson.Default.PetArray, Bound.Seconds(10));
        Assert.NotNull(pet);
    }

    [Fact]
    public async Task Data_that_does_not_serialise_is_refused_before_anything_is_sent()
    {
        await using var socket = await ConnectAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => socket.PostAsJsonAsync("/echo", new NotANumber(double.NaN), TestJson.Default.NotANumber, Bound.Seconds(10)).AsTask());
        Assert.True(socket.IsConnected);
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
    }

    [Fact]
    public async Task A_request_larger_than_the_servers_max_payload_is_refused_before_sending()
    {
        await using var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["MAX_HTTP_BUFFER"] = "4000" });
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var big = new TextData(new string('x', 5000));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => socket.PostAsJsonAsync("/echo", big, TestJson.Default.TextData, Bound.Seconds(10)).AsTask());
        Assert.Contains("4000", error.Message);
        Assert.True(socket.IsConnected);
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
    }

    [Fact]
    public async Task A_request_sails_cannot_parse_raises_the_parse_error()
    {
        // An SDK version below 0.11 in the handshake headers (read before the query) makes Sails refuse every request.
        await using var socket = await Client.ConnectAsync(new SailsSocketOptions { InitialConnectionHeaders = [new("__sails_io_sdk_version", "0.10.0")] }, Bound.Seconds(15));
        var error = await Assert.ThrowsAsync<SailsParseErrorException>(() => socket.GetAsync("/echo", Bound.Seconds(10)).AsTask());
        Assert.Contains("0.10.0", error.Details);
        Assert.True(socket.IsConnected);
    }

    [Fact]
    public async Task An_sdk_version_that_would_crash_the_server_is_refused_before_connecting()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client.ConnectAsync(new SailsSocketOptions { InitialConnectionHeaders = [new("__sails_io_sdk_version", "abc")] }, Bound.Seconds(15)));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.ConnectAsync(new SailsSocketOptions { Query = [new("__SAILS_IO_SDK_VERSION", "1.2")] }, Bound.Seconds(15)));
        await using var prerelease = await Client.ConnectAsync(new SailsSocketOptions { InitialConnectionHeaders = [new("__sails_io_sdk_version", "2.0.0-rc.1")] }, Bound.Seconds(15));
        Assert.Equal(200, (await prerelease.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
        Assert.True(Server.IsRunning);
    }

    [Fact]
    public async Task Nosession_and_the_cookie_route()
    {
        await using var plain = await ConnectAsync();
        Assert.Equal(200, (await plain.GetAsync("/session", Bound.Seconds(10))).StatusCode);
        await using var noSession = await Client.ConnectAsync(new SailsSocketOptions { NoSession = true }, Bound.Seconds(15));
        Assert.Equal(500, (await noSession.GetAsync("/session", Bound.Seconds(10))).StatusCode);

        await using var withCookieRoute = new SailsClient(new SailsClientOptions { Url = Server.Url, UseCorsRouteToGetCookie = true });
        await using var a = await withCookieRoute.ConnectAsync(Bound.Seconds(15));
        var echo = (await a.GetAsync("/echo", Bound.Seconds(10))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Contains("sails.sid=", echo.Headers.Cookie);
    }

    [Fact]
    public async Task Csrf_protected_app_needs_the_token_and_says_so()
    {
        await using var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["CSRF"] = "1" });
        using var http = new HttpClient();
        using var cookieResponse = await http.GetAsync(new Uri(server.Url, "/__getcookie"), Bound.Seconds(10));
        var cookie = cookieResponse.Headers.GetValues("Set-Cookie").First().Split(';')[0];
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, InitialConnectionHeaders = [new("Cookie", cookie)] });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));

        var refused = await socket.PostAsync("/echo", Bound.Seconds(10));
        Assert.Equal(403, refused.StatusCode);
        var error = Assert.Throws<SailsRequestException>(() => refused.EnsureSuccessStatusCode());
        Assert.Contains("x-csrf-token", error.Message);

        var token = await client.GetCsrfTokenAsync(cookie, cancellationToken: Bound.Seconds(10));
        var request = new SailsRequest("post", "/echo");
        request.Headers["x-csrf-token"] = token;
        Assert.Equal(200, (await socket.RequestAsync(request, Bound.Seconds(10))).StatusCode);
    }
}
