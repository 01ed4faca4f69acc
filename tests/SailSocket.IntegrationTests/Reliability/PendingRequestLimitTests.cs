namespace SailSocket.IntegrationTests.Reliability;

/// <summary>
/// The requests a socket has sent and still waits for are bounded (<see cref="SailsClientOptions.MaxPendingRequests"/>);
/// one more is refused before it is sent, and the socket keeps working.
/// </summary>
public sealed class PendingRequestLimitTests
{
    [Fact]
    public async Task One_request_past_the_limit_is_refused_unsent_and_the_socket_stays_usable()
    {
        var server = await SharedSailsServer.GetAsync();
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url, MaxPendingRequests = 2 });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // /never does not answer: both stay pending until cancelled. On a connected socket a request takes its ack id
        // before GetAsync returns, so the third one meets the limit.
        var first = socket.GetAsync("/never", stop.Token).AsTask();
        var second = socket.GetAsync("/never", stop.Token).AsTask();

        // The same exception family as a full queue (MaxQueuedRequests): both are sibling bounds of one socket.
        var refused = await Assert.ThrowsAsync<SailsLimitExceededException>(() => socket.GetAsync("/echo?i=3", Bound.Seconds(10)).AsTask());
        Assert.Contains("MaxPendingRequests", refused.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(SailsClientOptions.MaxPendingRequests), refused.OptionName);
        Assert.Equal(2, refused.Limit);
        Assert.IsType<SailSocket.SocketIo.SocketIoAckLimitException>(refused.InnerException);
        Assert.True(socket.IsConnected);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
    }
}
