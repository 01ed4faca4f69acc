using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>
/// Bursts of acks on the managed engine, against a real Sails server: the acks that arrive together run their
/// continuations on the receive loop's thread once it waits again, and what they send leaves in one write
/// (<c>AckHandoff</c>, <see cref="EngineConnection.BeginSendBatch"/>). Every answer must still reach its own request, and a
/// continuation that blocks on a request of its own inside such a burst must still get its answer. The same again with
/// the socket's reads on a thread of its own (<see cref="ManagedEngineReceiveThreadBurstTests"/>). Run alone
/// (<see cref="BlockingContinuationsGroup"/>): the blocking continuations may starve the process's thread pool.
/// </summary>
[Collection(BlockingContinuationsGroup.Name)]
public class ManagedEngineBurstTests : SailsServerTestBase
{
    /// <summary>The name the managed engine gives a socket's own receive thread (<see cref="EngineOptions.ReceiveThread"/>).</summary>
    private const string ReceiveThreadName = "SailSocket receive";

    /// <summary>Whether the socket reads on a thread of its own.</summary>
    protected virtual bool ReceiveThread => false;

    protected override SailsClientOptions CreateOptions(Uri url) => new()
    {
        Url = url,
        RequestTimeout = TimeSpan.FromSeconds(20),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        WebSocketEngine = EngineWebSocketEngine.Managed,
        Transports = EngineTransports.WebSocket,
        ReceiveThread = ReceiveThread,
    };

    [Fact]
    public async Task Pipelined_requests_each_sent_from_the_previous_ones_continuation_all_get_their_own_answer()
    {
        await using var socket = await ConnectAsync();
        const int Workers = 16;
        const int PerWorker = 40;
        var onReceiveThread = 0;

        // Each worker resumes where its answer completes (no test context): with a receive thread, on that thread.
        var workers = Enumerable.Range(0, Workers).Select(async w =>
        {
            for (var n = 0; n < PerWorker; n++)
            {
                var reply = (await socket.GetAsync($"/echo?w={w}&n={n}", Bound.Seconds(30)).ConfigureAwait(false)).ReadBody(TestJson.Default.EchoReply)!;
                if (Thread.CurrentThread.Name == ReceiveThreadName)
                {
                    Interlocked.Increment(ref onReceiveThread);
                }

                Assert.Equal(w.ToString(System.Globalization.CultureInfo.InvariantCulture), reply.Query.GetProperty("w").GetString());
                Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), reply.Query.GetProperty("n").GetString());
            }
        });

        await Task.Run(() => Task.WhenAll(workers)).Within(60);
        if (ReceiveThread)
        {
            Assert.True(onReceiveThread > Workers * PerWorker / 2, $"{onReceiveThread} of {Workers * PerWorker} answers resumed on the receive thread");
        }
        else
        {
            Assert.Equal(0, onReceiveThread);
        }
    }

    [Fact]
    public async Task Continuations_that_block_on_a_request_of_their_own_inside_a_burst_still_get_its_answer()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1")
        {
            // Under the runtime's switch these continuations run on the socket engine's thread: blocking there stalls every
            // socket of the process until RequestTimeout, as docs/guide.md §8 warns, and would stall the tests beside it.
            return;
        }

        await using var socket = await ConnectAsync();
        const int Requests = 12;

        // Each continuation runs where its ack completes (ExecuteSynchronously): in a burst, on the receive loop's thread
        // after it moved on, with that thread's sends gathered. It then blocks on a request of its own, whose send is
        // gathered too: the connection's timer writes it at its next tick (docs/guide.md §8).
        var outer = Enumerable.Range(0, Requests).Select(i => socket.GetAsync($"/echo?outer={i}", Bound.Seconds(30)).AsTask().ContinueWith(
            t =>
            {
                var first = t.Result.ReadBody(TestJson.Default.EchoReply)!;
#pragma warning disable VSTHRD002, xUnit1031 // The point of the test: a continuation that waits synchronously.
                var inner = socket.GetAsync($"/echo?inner={i}", Bound.Seconds(30)).AsTask().GetAwaiter().GetResult();
#pragma warning restore VSTHRD002, xUnit1031
                return (first, second: inner.ReadBody(TestJson.Default.EchoReply)!);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default)).ToArray();

        var replies = await Task.WhenAll(outer).Within(60);
        for (var i = 0; i < Requests; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), replies[i].first.Query.GetProperty("outer").GetString());
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), replies[i].second.Query.GetProperty("inner").GetString());
        }
    }
}

/// <summary>
/// <see cref="ManagedEngineBurstTests"/> with the socket's reads on a thread of its own: the answers' continuations run
/// there, and a continuation that blocks that thread is taken over at the timer's second tick (a new thread serves the
/// socket), so the blocked requests still get their answers.
/// </summary>
[Collection(BlockingContinuationsGroup.Name)]
public sealed class ManagedEngineReceiveThreadBurstTests : ManagedEngineBurstTests
{
    protected override bool ReceiveThread => true;

    /// <summary>
    /// A host name is looked up before the thread starts (asynchronously, so the connect's token bounds it), and its
    /// addresses are tried in turn: <c>localhost</c> may give <c>::1</c> first, where the server (on 127.0.0.1) refuses.
    /// </summary>
    [Fact]
    public async Task A_host_name_is_looked_up_and_each_of_its_addresses_tried()
    {
        var url = new UriBuilder(Server.Url) { Host = "localhost" }.Uri;
        await using var client = new SailsClient(CreateOptions(url));
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var reply = await socket.GetAsync("/echo", Bound.Seconds(10));
        Assert.Equal(socket.Id, reply.ReadBody(TestJson.Default.EchoReply)!.SocketId);
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_fails_as_unreachable()
    {
        var url = new UriBuilder(Server.Url) { Host = "no-such-host.invalid" }.Uri;
        await using var client = new SailsClient(CreateOptions(url));
        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => client.ConnectAsync(Bound.Seconds(15)));
        Assert.Equal(EngineConnectionError.Unreachable, Assert.IsType<EngineConnectionException>(error.InnerException).Error);
    }
}
