using System.Text;
using System.Text.Json;

namespace SailSocket.IntegrationTests;

/// <summary>Every verb, every body shape, headers: requests against the real Sails app.</summary>
public sealed class RequestTests : SailsServerTestBase
{
    protected override SailsClientOptions CreateOptions(Uri url) => new()
    {
        Url = url,
        RequestTimeout = TimeSpan.FromSeconds(10),
        Headers = new Dictionary<string, string> { ["x-global"] = "G" },
    };

    [Fact]
    public async Task Get_reaches_the_action_with_query_and_socket_identity()
    {
        await using var socket = await ConnectAsync();
        var response = await socket.GetAsync("/echo?q=1&name=x", Bound.Seconds(10));

        Assert.Equal(200, response.StatusCode);
        var echo = response.ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal("GET", echo.Method);
        Assert.Equal("/echo?q=1&name=x", echo.Url);
        Assert.Equal("/echo", echo.Path);
        Assert.True(echo.IsSocket);
        Assert.Equal(socket.Id, echo.SocketId);
        Assert.Equal("1", echo.Query.GetProperty("q").GetString());
    }

    public static TheoryData<string> Verbs => new() { "get", "post", "put", "patch", "delete" };

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_verb_with_typed_data_reaches_the_action(string verb)
    {
        await using var socket = await ConnectAsync();
        var data = new PetData("Rex", "dog");
        var ct = Bound.Seconds(10);
        var response = verb switch
        {
            "get" => await socket.GetAsJsonAsync("/echo", data, TestJson.Default.PetData, ct),
            "post" => await socket.PostAsJsonAsync("/echo", data, TestJson.Default.PetData, ct),
            "put" => await socket.PutAsJsonAsync("/echo", data, TestJson.Default.PetData, ct),
            "patch" => await socket.PatchAsJsonAsync("/echo", data, TestJson.Default.PetData, ct),
            _ => await socket.DeleteAsJsonAsync("/echo", data, TestJson.Default.PetData, ct),
        };

        Assert.Equal(200, response.StatusCode);
        var echo = response.ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal(verb.ToUpperInvariant(), echo.Method);
        Assert.Equal("Rex", echo.Body.GetProperty("name").GetString());
        Assert.Equal("dog", echo.Body.GetProperty("species").GetString());
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_verb_without_data_sends_an_empty_object(string verb)
    {
        await using var socket = await ConnectAsync();
        var ct = Bound.Seconds(10);
        var response = verb switch
        {
            "get" => await socket.GetAsync("/echo", ct),
            "post" => await socket.PostAsync("/echo", ct),
            "put" => await socket.PutAsync("/echo", ct),
            "patch" => await socket.PatchAsync("/echo", ct),
            _ => await socket.DeleteAsync("/echo", ct),
        };

        var echo = response.ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal(verb.ToUpperInvariant(), echo.Method);
        Assert.Equal(JsonValueKind.Object, echo.Body.ValueKind);
        Assert.Empty(echo.Body.EnumerateObject());
    }

    [Fact]
    public async Task Blueprint_crud_round_trip()
    {
        await using var socket = await ConnectAsync();
        var ct = Bound.Seconds(20);
        var created = await socket.PostAsJsonAsync("/pet", new PetData("Crud", "cat"), TestJson.Default.PetData, ct);
        Assert.Equal(200, created.StatusCode);
        var pet = created.ReadBody(TestJson.Default.Pet)!;

        var updated = await socket.PatchAsJsonAsync($"/pet/{pet.Id}", new PetData("Crud2"), TestJson.Default.PetData, ct);
        Assert.Equal("Crud2", updated.ReadBody(TestJson.Default.Pet)!.Name);

        var fetched = await socket.GetAsync($"/pet/{pet.Id}", ct);
        Assert.Equal("Crud2", fetched.ReadBody(TestJson.Default.Pet)!.Name);

        var deleted = await socket.DeleteAsync($"/pet/{pet.Id}", ct);
        Assert.Equal(200, deleted.StatusCode);
        Assert.Equal(404, (await socket.GetAsync($"/pet/{pet.Id}", ct)).StatusCode);
    }

    [Fact]
    public async Task Text_body_is_read_as_a_string()
    {
        await using var socket = await ConnectAsync();
        var response = await socket.GetAsync("/text", Bound.Seconds(10));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("plain text body", response.ReadBodyAsString());
        Assert.Equal("\"plain text body\"", Encoding.UTF8.GetString(response.Body.Span));
    }

    [Fact]
    public async Task Json_string_body_keeps_the_double_encoding_sails_sends()
    {
        await using var socket = await ConnectAsync();
        var response = await socket.GetAsync("/json-string", Bound.Seconds(10));
        Assert.Equal("\"a string\"", response.ReadBodyAsString());
        Assert.Equal("application/json", response.Headers["Content-Type"]);
    }

    [Fact]
    public async Task Null_body()
    {
        await using var socket = await ConnectAsync();
        var response = await socket.GetAsync("/null", Bound.Seconds(10));
        Assert.Equal(200, response.StatusCode);
        Assert.True(response.HasBody);
        Assert.Equal(JsonValueKind.Null, response.ReadBodyAsElement().ValueKind);
        Assert.Null(response.ReadBody(TestJson.Default.Pet));
    }

    [Fact]
    public async Task Zero_body()
    {
        await using var socket = await ConnectAsync();
        var response = await socket.GetAsync("/zero", Bound.Seconds(10));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(0, response.ReadBody(TestJson.Default.Int32));
        Assert.Equal("0", response.ReadBodyAsString());
    }

    [Fact]
    public async Task Options_response_has_no_body_and_numeric_headers_as_text()
    {
        await using var socket = await ConnectAsync();
        var response = await socket.RequestAsync(new SailsRequest("OPTIONS", "/echo"), Bound.Seconds(10));
        Assert.Equal(200, response.StatusCode);
        Assert.False(response.HasBody);
        Assert.Null(response.ReadBodyAsString());
        Assert.Equal("35", response.Headers["content-length"]);
    }

    [Theory]
    [InlineData("/status/201", 201)]
    [InlineData("/status/404", 404)]
    [InlineData("/status/418", 418)]
    [InlineData("/bad-request", 400)]
    [InlineData("/forbidden", 403)]
    [InlineData("/server-error", 500)]
    [InlineData("/throws", 500)]
    [InlineData("/no-such-route", 404)]
    public async Task Error_statuses_are_responses_not_exceptions(string url, int status)
    {
        await using var socket = await ConnectAsync();
        var response = await socket.GetAsync(url, Bound.Seconds(10));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(status is >= 200 and < 300, response.IsSuccessStatusCode);
        Assert.True(response.HasBody);
    }

    [Fact]
    public async Task Bad_request_body_is_the_object_the_action_sent()
    {
        await using var socket = await ConnectAsync();
        var response = await socket.GetAsync("/bad-request", Bound.Seconds(10));
        Assert.Equal("bad input", response.ReadBodyAsElement().GetProperty("problem").GetString());
        Assert.Equal("Not Found", (await socket.GetAsync("/no-such-route", Bound.Seconds(10))).ReadBodyAsString());
    }

    [Fact]
    public async Task Redirect_is_delivered_not_followed()
    {
        await using var socket = await ConnectAsync();
        var response = await socket.GetAsync("/redirect", Bound.Seconds(10));
        Assert.Equal(302, response.StatusCode);
        Assert.Equal("/echo", response.Headers["location"]);
    }

    [Fact]
    public async Task Request_headers_reach_the_server_and_win_over_default_headers()
    {
        await using var socket = await ConnectAsync();
        var plain = (await socket.GetAsync("/echo", Bound.Seconds(10))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal("G", plain.Headers.XGlobal);
        Assert.Null(plain.Headers.XProbe);

        var request = new SailsRequest("get", "/echo");
        request.Headers["X-Probe"] = "P";
        request.Headers["X-GLOBAL"] = "overridden";
        var echo = (await socket.RequestAsync(request, Bound.Seconds(10))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal("P", echo.Headers.XProbe);
        Assert.Equal("overridden", echo.Headers.XGlobal);

        var omitting = new SailsRequest("get", "/echo");
        omitting.OmittedDefaultHeaders.Add("X-Global");
        var bare = (await socket.RequestAsync(omitting, Bound.Seconds(10))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Null(bare.Headers.XGlobal);
    }

    [Fact]
    public async Task Raw_json_data_through_RequestAsync()
    {
        await using var socket = await ConnectAsync();
        var request = new SailsRequest("post", "/echo") { Data = """{"a":1,"nested":{"b":[1,2]}}"""u8.ToArray() };
        var echo = (await socket.RequestAsync(request, Bound.Seconds(10))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal(1, echo.Body.GetProperty("a").GetInt32());
        Assert.Equal(2, echo.Body.GetProperty("nested").GetProperty("b")[1].GetInt32());
    }

    [Fact]
    public async Task Unicode_survives_both_ways()
    {
        await using var socket = await ConnectAsync();
        var response = await socket.PostAsJsonAsync("/unicode", new TextData("é😀"), TestJson.Default.TextData, Bound.Seconds(10));
        var reply = response.ReadBody(TestJson.Default.UnicodeReply)!;
        Assert.Equal("héllo wörld ✓ 😀", reply.Text);
        Assert.Equal("é😀", reply.Received);
    }

    [Fact]
    public async Task Binary_body_arrives_as_an_attachment()
    {
        await using var socket = await ConnectAsync();
        var response = await socket.GetAsync("/binary", Bound.Seconds(10));
        Assert.Equal(200, response.StatusCode);
        Assert.True(response.TryGetBinaryBody(out var bytes));
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, bytes.ToArray());

        var nested = await socket.GetAsync("/binary-nested", Bound.Seconds(10));
        Assert.Equal(2, nested.Attachments.Count);
        Assert.Equal("hi"u8.ToArray(), nested.Attachments[0].ToArray());
        Assert.Equal(new byte[] { 0xff }, nested.Attachments[1].ToArray());
        Assert.False(nested.TryGetBinaryBody(out _));
        Assert.Equal("file.bin", nested.ReadBodyAsElement().GetProperty("name").GetString());
    }

    [Fact]
    public async Task Many_requests_in_flight_on_one_socket_are_matched_by_ack_id()
    {
        await using var socket = await ConnectAsync();
        var ct = Bound.Seconds(20);
        var slow = socket.GetAsync("/slow?ms=300", ct).AsTask();
        var tasks = Enumerable.Range(0, 50).Select(i => socket.GetAsync($"/echo?i={i}", ct).AsTask()).ToArray();
        var responses = await Task.WhenAll(tasks);
        for (var i = 0; i < responses.Length; i++)
        {
            Assert.Equal(i.ToString(), responses[i].ReadBody(TestJson.Default.EchoReply)!.Query.GetProperty("i").GetString());
        }

        Assert.Equal(200, (await slow).StatusCode);
    }
}
