using SailSocket.Engine;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Parity;

/// <summary>
/// <c>ConnectAsync</c> with reconnection on, against a server that is down: it retries with backoff, but the wait is
/// bounded by <see cref="SailsClientOptions.ConnectTimeout"/> (or the token), and the exception carries the latest attempt's error.
/// When the bound falls is tested on a fake clock (SailsSocketConnectionTests in the unit tests); here, the outcomes.
/// </summary>
public sealed class ConnectWhileServerDownTests
{
    private static SailsClientOptions Options(int port, TimeSpan connectTimeout) => new()
    {
        Url = new Uri($"http://127.0.0.1:{port}"),
        Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromMilliseconds(100), DelayMax = TimeSpan.FromMilliseconds(200) },
        ConnectTimeout = connectTimeout,
    };

    [Fact]
    public async Task ConnectAsync_times_out_after_ConnectTimeout_with_the_latest_refusal_inside()
    {
        var port = ConnectionTests.FreePort();
        await using var sails = new SailsClient(Options(port, TimeSpan.FromSeconds(2)));

        // A timeout, not the token (30 s) nor a refusal: the connect kept retrying until ConnectTimeout.
        var timeout = await Assert.ThrowsAsync<SailsTimeoutException>(() => sails.ConnectAsync(Bound.Seconds(30)).Within(20));

        Assert.Contains("ConnectTimeout", timeout.Message, StringComparison.Ordinal);
        var latest = Assert.IsType<SailsConnectionException>(timeout.InnerException);
        Assert.Contains("refused", latest.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(EngineConnectionError.Unreachable, Assert.IsType<EngineConnectionException>(latest.InnerException).Error);
        Assert.Contains(latest.Message, timeout.Message, StringComparison.Ordinal);

        // The client's ConnectAsync does not leave the failed socket behind.
        Assert.Empty(sails.Sockets);
    }

    [Fact]
    public async Task Cancelling_the_wait_throws_OperationCanceledException_with_the_latest_refusal_inside()
    {
        var port = ConnectionTests.FreePort();
        await using var sails = new SailsClient(Options(port, TimeSpan.FromSeconds(60)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(800));

        // Cancelled by this token (not a timeout, not a refusal): the connect kept retrying until the token fired.
        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sails.ConnectAsync(cancel.Token).Within(20));

        Assert.True(cancel.IsCancellationRequested);
        Assert.Equal(cancel.Token, cancelled.CancellationToken);
        var latest = Assert.IsType<SailsConnectionException>(cancelled.InnerException);
        Assert.Contains("refused", latest.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(sails.Sockets);
    }

    [Fact]
    public async Task A_created_socket_whose_ConnectAsync_timed_out_keeps_reconnecting_and_connects_once_the_server_is_up()
    {
        var port = ConnectionTests.FreePort();
        await using var sails = new SailsClient(new SailsClientOptions
        {
            Url = new Uri($"http://127.0.0.1:{port}"),
            AutoConnect = false,
            Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromMilliseconds(100), DelayMax = TimeSpan.FromMilliseconds(300) },
            ConnectTimeout = TimeSpan.FromSeconds(1),
        });
        await using var socket = sails.CreateSocket();
        var timeout = await Assert.ThrowsAsync<SailsTimeoutException>(() => socket.ConnectAsync(Bound.Seconds(30)).Within(20));
        Assert.IsType<SailsConnectionException>(timeout.InnerException);
        Assert.NotEqual(SailsSocketState.Connected, socket.State);

        await using var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["PORT"] = port.ToString() }).Within(150);
        await Bound.Until(() => socket.IsConnected, 20);
        Assert.Equal(200, (await socket.GetAsync("/echo", Bound.Seconds(10))).StatusCode);
    }
}
