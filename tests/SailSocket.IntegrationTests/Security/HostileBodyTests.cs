using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Security;

/// <summary>
/// Refusal bodies a hostile server can send (issue 14, point 2): a refused polling handshake and a refused WebSocket
/// handshake (its body read by the second, probing request) with a 400 MB body are read up to the 1 KiB bound while
/// reading, never whole. Each server is a scripted raw-HTTP listener on loopback.
/// </summary>
public sealed class HostileBodyTests
{
    private const long Huge = 400L * 1024 * 1024;

    /// <summary>Well above what loopback socket buffers take before a closed reader makes the writer fail.</summary>
    private const long NotReadWhole = 100L * 1024 * 1024;

    [Theory]
    [InlineData(EngineTransports.Polling, true)]
    [InlineData(EngineTransports.Polling, false)]
    [InlineData(EngineTransports.WebSocket, true)]
    [InlineData(EngineTransports.WebSocket, false)]
    public async Task A_huge_refusal_body_is_read_up_to_its_bound_only(EngineTransports transports, bool announcesLength)
    {
        var requests = 0;
        var flooded = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new RawHttpServer(async (_, stream, ct) =>
        {
            if (transports == EngineTransports.WebSocket && Interlocked.Increment(ref requests) == 1)
            {
                // The upgrade itself: refused; ClientWebSocket does not read the body, the probe that follows does.
                await RawHttpServer.WriteHeadAsync(stream, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct);
                return;
            }

            var length = announcesLength ? $"Content-Length: {Huge}\r\n" : string.Empty;
            await RawHttpServer.WriteHeadAsync(stream, $"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n{length}Connection: close\r\n\r\nRejected: ", ct);
            flooded.TrySetResult(await RawHttpServer.WriteFloodAsync(stream, Huge, ct));
        });

        var error = await Assert.ThrowsAsync<EngineConnectionException>(() => EngineConnection.ConnectAsync(
            new EngineOptions { Url = server.Url, Transports = transports, ConnectTimeout = TimeSpan.FromSeconds(20) }, Bound.Seconds(30))).Within(40);
        Assert.Equal(EngineConnectionError.HandshakeRefused, error.Error);
        Assert.Equal(403, error.HttpStatusCode);
        Assert.StartsWith("Rejected: aaaa", error.HttpResponseBody, StringComparison.Ordinal);
        Assert.InRange(error.HttpResponseBody!.Length, 16, 1024);
        Assert.InRange(error.Message.Length, 16, 2048);

        // The client let the response go after the bound: the server's writes failed long before 400 MB.
        Assert.InRange(await flooded.Task.Within(30), 0, NotReadWhole);
    }
}
