using System.Globalization;
using System.Net;
using System.Text;
using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Security;

/// <summary>
/// Headers a hostile server can make the client hold (issue 14, point 2): response headers of every HTTP request
/// (handshake, upgrade, cookie route) are bounded at 64 KiB, and the <c>Set-Cookie</c> answers kept per response and
/// per cookie are bounded whatever the cookie container allows. Each server is a scripted raw-HTTP listener on loopback.
/// </summary>
public sealed class HostileHeaderTests
{
    /// <summary>Far above the bound; a client that read it all would hold megabytes of headers.</summary>
    private const int FloodCookies = 100_000;

    [Theory]
    [InlineData(EngineTransports.Polling)]
    [InlineData(EngineTransports.WebSocket)]
    public async Task A_flood_of_set_cookie_headers_on_the_handshake_fails_at_the_header_bound(EngineTransports transports)
    {
        var written = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new RawHttpServer(async (_, stream, ct) =>
        {
            await RawHttpServer.WriteHeadAsync(stream, "HTTP/1.1 200 OK\r\n", ct);
            written.TrySetResult(await WriteCookieFloodAsync(stream, ct));
        });

        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, Transports = transports, ConnectTimeout = TimeSpan.FromSeconds(10) });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(20))).Within(30);
        Assert.Contains("64 KiB", error.Message, StringComparison.Ordinal);
        var engine = Assert.IsType<EngineConnectionException>(error.InnerException);
        Assert.Equal(EngineConnectionError.ProtocolError, engine.Error);
        Assert.Equal(0, client.Cookies.Count);

        // The flood (about 4 MB) fits in loopback socket buffers, so how much the server wrote says nothing; the bound
        // is the handler's, checked by the failure above.
        await written.Task.Within(20);
    }

    [Fact]
    public async Task A_10_MB_cookie_fails_at_the_header_bound()
    {
        await using var server = new RawHttpServer(async (_, stream, ct) =>
        {
            await RawHttpServer.WriteHeadAsync(stream, "HTTP/1.1 200 OK\r\nSet-Cookie: big=", ct);
            await RawHttpServer.WriteFloodAsync(stream, 10L * 1024 * 1024, ct);
        });

        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, Transports = EngineTransports.Polling, ConnectTimeout = TimeSpan.FromSeconds(10) });
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(20))).Within(30);
        Assert.Contains("64 KiB", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, client.Cookies.Count);
    }

    [Fact]
    public async Task Set_cookie_answers_beyond_the_bounds_are_not_kept_even_by_a_roomy_container()
    {
        // 80 cookies of 100 bytes and one of 5,000 bytes: under the 64 KiB header bound, over the cookie bounds.
        var head = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n");
        for (var i = 0; i < 80; i++)
        {
            head.Append(CultureInfo.InvariantCulture, $"Set-Cookie: c{i}={new string('v', 96)}; Path=/\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Set-Cookie: huge={new string('h', 5000)}; Path=/\r\n\r\n");
        await using var server = new RawHttpServer(async (request, stream, ct) =>
        {
            if (request.Path.StartsWith("/__getcookie", StringComparison.Ordinal))
            {
                await RawHttpServer.WriteHeadAsync(stream, head.ToString(), ct);
                return;
            }

            await RawHttpServer.WriteHeadAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct);
        });

        // A container that would take all of them: the bounds are the client's, not the container's.
        var jar = new CookieContainer(10_000, 10_000, 1024 * 1024);
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, UseCorsRouteToGetCookie = true, Transports = EngineTransports.Polling, ConnectTimeout = TimeSpan.FromSeconds(10) });
        await using var socket = client.CreateSocket(new SailsSocketOptions { Cookies = jar });
        await Assert.ThrowsAsync<SailsConnectionException>(() => socket.ConnectAsync(Bound.Seconds(20))).Within(30);

        var kept = jar.GetAllCookies();
        Assert.Equal(50, kept.Count);
        Assert.All(kept, c => Assert.StartsWith("c", c.Name, StringComparison.Ordinal));
        Assert.Null(jar.GetCookies(server.Url)["huge"]);
    }

    private static async Task<long> WriteCookieFloodAsync(Stream stream, CancellationToken ct)
    {
        long count = 0;
        try
        {
            var batch = new StringBuilder();
            while (count < FloodCookies)
            {
                batch.Clear();
                for (var i = 0; i < 1000; i++, count++)
                {
                    batch.Append(CultureInfo.InvariantCulture, $"Set-Cookie: c{count}=value{count}; Path=/\r\n");
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes(batch.ToString()), ct);
            }

            await stream.WriteAsync("Content-Length: 0\r\n\r\n"u8.ToArray(), ct);
        }
        catch (IOException)
        {
        }
        catch (OperationCanceledException)
        {
        }

        return count;
    }
}
