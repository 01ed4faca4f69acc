using System;
using System.Linq;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.SocketIo.Protocol;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content>Emits and their acks (protocol.md §3.2, §3.7, §4.3): ids from 0, matched by id, binary acks, timeouts.</content>
public sealed partial class SocketIoClientTests
{
    [Fact]
    public async Task EmitWithAck_SendsTheEventWithAckIdAndCompletesOnTheAck()
    {
        var client = await ConnectAsync();

        var get = GetAsync(client, "/echo");

        Assert.Equal("""420["get",{"url":"/echo"}]""", await _peer.ReceiveTextAsync());
        Assert.Equal(1, client.PendingAckCount);
        await _peer.SendTextAsync("""430[{"statusCode":200}]""");
        var ack = await get.WaitAsync(TestTimeouts.Default);
        Assert.Equal("""[{"statusCode":200}]""", Utf8(ack.Arguments));
        Assert.Empty(ack.Attachments);
        Assert.Equal(0, client.PendingAckCount);
    }

    [Fact]
    public async Task EmitWithAck_AContinuationThatBlocks_DoesNotHoldUpTheAcksAfterIt()
    {
        var client = await ConnectAsync();
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();

        // Runs where the ack completes (ExecuteSynchronously), which may be the receive loop's thread once it has moved on:
        // blocking there must not stop the loop.
        var blocked = GetAsync(client, "/first").ContinueWith(
            t =>
            {
                entered.Set();
                gate.Wait(TestTimeouts.Default);
                return t.Result;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Assert.Equal(0, SplitEmit(await _peer.ReceiveTextAsync()).AckId);
        await _peer.SendTextAsync("430[1]");
        Assert.True(entered.Wait(TestTimeouts.Default));

        var second = GetAsync(client, "/second");
        Assert.Equal(1, SplitEmit(await _peer.ReceiveTextAsync()).AckId);
        await _peer.SendTextAsync("431[2]");
        Assert.Equal("[2]", Utf8((await second.WaitAsync(TestTimeouts.Default)).Arguments));
        Assert.False(blocked.IsCompleted);

        gate.Set();
        Assert.Equal("[1]", Utf8((await blocked.WaitAsync(TestTimeouts.Default)).Arguments));
    }

    [Fact]
    public async Task EmitWithAck_AnEventHandlerThatWaitsForAnAckThatCameJustBeforeIt_GetsIt()
    {
        Task<SocketIoAck>? get = null;
        var waited = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new SocketIoOptions
        {
            Engine = _peer.CreateOptions(),
            ConnectTimeout = TestTimeouts.Default,
            OnEvent = (in SocketIoEvent e) =>
            {
                // A synchronous handler on the receive loop, blocking on an ack that arrived in the packet before this event.
#pragma warning disable xUnit1031 // The point of the test: a handler that blocks on the loop.
                var arrived = get!.Wait(TestTimeouts.Default);
#pragma warning restore xUnit1031
                waited.TrySetResult(arrived ? Utf8(get.Result.Arguments) : "timed out");
            },
        };
        var client = await ConnectAsync(options);
        get = GetAsync(client, "/first");
        Assert.Equal(0, SplitEmit(await _peer.ReceiveTextAsync()).AckId);

        await _peer.SendTextAsync("430[\"answer\"]");
        await _peer.SendTextAsync("42[\"news\"]");
        Assert.Equal("[\"answer\"]", await waited.Task.WaitAsync(TestTimeouts.Default * 2));
    }

    [Fact]
    public async Task EmitWithAck_AckFollowedAtOnceByTheEnd_CompletesWithTheAck()
    {
        var client = await ConnectAsync();
        var get = GetAsync(client, "/last");
        Assert.Equal(0, SplitEmit(await _peer.ReceiveTextAsync()).AckId);

        // The ack and the server's disconnect back to back: the ack may still be held by the loop when it ends.
        await _peer.SendTextAsync("430[\"answer\"]");
        await _peer.SendTextAsync("41");
        Assert.Equal("[\"answer\"]", Utf8((await get.WaitAsync(TestTimeouts.Default)).Arguments));
    }

    [Fact]
    public async Task EmitWithAck_IdsCountUpFromZero()
    {
        var client = await ConnectAsync();

        for (var id = 0; id < 3; id++)
        {
            var get = GetAsync(client, "/n");
            Assert.Equal(id, SplitEmit(await _peer.ReceiveTextAsync()).AckId);
            await _peer.SendTextAsync($"43{id}[{id}]");
            Assert.Equal($"[{id}]", Utf8((await get.WaitAsync(TestTimeouts.Default)).Arguments));
        }
    }

    [Fact]
    public async Task EmitWithAck_AcksOutOfOrder_AreMatchedById()
    {
        const int Count = 5;
        var client = await ConnectAsync();
        var gets = Range(Count).Select(i => GetAsync(client, $"/{i}")).ToArray();

        // Read every emit, then answer in reverse order, echoing each one's url: only matching by id gets them right.
        var emits = new (long AckId, string Json)[Count];
        for (var i = 0; i < Count; i++)
        {
            emits[i] = SplitEmit(await _peer.ReceiveTextAsync());
        }

        foreach (var (ackId, json) in emits.Reverse())
        {
            var url = json[(json.IndexOf("\"url\":", StringComparison.Ordinal) + 6)..^2];
            await _peer.SendTextAsync($"43{ackId}[{{\"url\":{url}}}]");
        }

        for (var i = 0; i < Count; i++)
        {
            Assert.Equal($"[{{\"url\":\"/{i}\"}}]", Utf8((await gets[i].WaitAsync(TestTimeouts.Default)).Arguments));
        }
    }

    [Fact]
    public async Task EmitWithAck_ConcurrentEmits_EachGetsItsOwnAck()
    {
        const int Count = 25;
        var client = await ConnectAsync();
        var gets = Range(Count).Select(i => Task.Run(() => GetAsync(client, $"/{i}"))).ToArray();

        for (var i = 0; i < Count; i++)
        {
            var (ackId, json) = SplitEmit(await _peer.ReceiveTextAsync());
            await _peer.SendTextAsync($"43{ackId}[{json[json.IndexOf('{', StringComparison.Ordinal)..^1]}]");
        }

        for (var i = 0; i < Count; i++)
        {
            Assert.Equal($"[{{\"url\":\"/{i}\"}}]", Utf8((await gets[i].WaitAsync(TestTimeouts.Default)).Arguments));
        }

        Assert.Equal(0, client.PendingAckCount);
    }

    [Fact]
    public async Task EmitWithAck_UnknownAndDuplicateAcks_AreIgnored()
    {
        var client = await ConnectAsync();
        var get = GetAsync(client, "/x");
        await _peer.ReceiveTextAsync();

        await _peer.SendTextAsync("""4399[{"statusCode":500}]""");
        await _peer.SendTextAsync("""430[{"statusCode":200}]""");
        await _peer.SendTextAsync("""430[{"statusCode":404}]""");

        Assert.Equal("""[{"statusCode":200}]""", Utf8((await get.WaitAsync(TestTimeouts.Default)).Arguments));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task EmitWithAck_BinaryAck_DeliversTheAttachments()
    {
        var client = await ConnectAsync();
        var get = GetAsync(client, "/binary");
        await _peer.ReceiveTextAsync();

        await _peer.SendTextAsync("""461-0[{"_placeholder":true,"num":0}]""");
        await _peer.SendBinaryAsync([0x01, 0x02, 0x03, 0xFA]);

        var ack = await get.WaitAsync(TestTimeouts.Default);
        Assert.Equal("""[{"_placeholder":true,"num":0}]""", Utf8(ack.Arguments));
        Assert.Equal(new byte[] { 0x01, 0x02, 0x03, 0xFA }, Assert.Single(ack.Attachments).ToArray());
    }

    [Fact]
    public async Task EmitWithAck_BinaryAckWithTwoAttachments_KeepsTheirOrder()
    {
        var client = await ConnectAsync();
        var get = GetAsync(client, "/binary-nested");
        await _peer.ReceiveTextAsync();

        // protocol.md §3.7, EIO4 framing (no 0x04 prefix on the attachments).
        await _peer.SendTextAsync(
            """462-0[{"body":{"name":"file.bin","content":{"_placeholder":true,"num":0},"list":[{"_placeholder":true,"num":1}]},"headers":{},"statusCode":200}]""");
        await _peer.SendBinaryAsync([0x68, 0x69]);
        await _peer.SendBinaryAsync([0xFF]);

        var ack = await get.WaitAsync(TestTimeouts.Default);
        Assert.Equal(2, ack.Attachments.Count);
        Assert.Equal(new byte[] { 0x68, 0x69 }, ack.Attachments[0].ToArray());
        Assert.Equal(new byte[] { 0xFF }, ack.Attachments[1].ToArray());
    }

    [Fact]
    public async Task EmitWithAck_Timeout_ThrowsSocketIoTimeoutAndIgnoresTheLateAck()
    {
        var clock = new ManualTimeProvider();
        var timer = new TimerSettings(TimeSpan.FromMilliseconds(20), clock);
        var client = await ConnectAsync(CreateOptions(timer));

        var get = GetAsync(client, "/never", TimeSpan.FromMilliseconds(100));
        await _peer.ReceiveTextAsync();

        // Due at 100 ms: the ticks up to 80 ms are before it, the one at 100 ms is not.
        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(get.IsCompleted);
        Assert.Equal(1, client.PendingAckCount);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<SocketIoTimeoutException>(() => get.WaitAsync(TestTimeouts.Default));
        Assert.Equal(0, client.PendingAckCount);

        await _peer.SendTextAsync("""430[{"statusCode":200}]""");
        var next = GetAsync(client, "/next");
        Assert.Equal(1, SplitEmit(await _peer.ReceiveTextAsync()).AckId);
        await _peer.SendTextAsync("""431[1]""");
        Assert.Equal("[1]", Utf8((await next.WaitAsync(TestTimeouts.Default)).Arguments));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task EmitWithAck_CallerCancels_ThrowsOperationCanceledWithTheCallersToken()
    {
        var client = await ConnectAsync();
        using var cts = new CancellationTokenSource();

        var get = GetAsync(client, "/slow", cancellationToken: cts.Token);
        await _peer.ReceiveTextAsync();
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.WaitAsync(TestTimeouts.Default));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(0, client.PendingAckCount);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task EmitWithAck_AlreadyCancelled_ThrowsWithoutSending()
    {
        var client = await ConnectAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => GetAsync(client, "/x", cancellationToken: cts.Token).WaitAsync(TestTimeouts.Default));

        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(0, client.PendingAckCount);
    }

    [Fact]
    public async Task EmitWithAck_LargerThanMaxPayload_ThrowsAndLeavesNothingPending()
    {
        var client = await ConnectAsync(openPacket: WebSocketPeer.OpenPacket(maxPayload: 64));

        await Assert.ThrowsAsync<SocketIoMessageTooLargeException>(() => GetAsync(client, "/" + new string('x', 100)).WaitAsync(TestTimeouts.Default));

        Assert.Equal(0, client.PendingAckCount);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task EmitWithAck_WithAttachments_SendsABinaryEventThenTheAttachments()
    {
        var client = await ConnectAsync();
        ReadOnlyMemory<byte>[] attachments = [new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }];

        var post = client.EmitWithAckAsync(
            "post",
            0,
            static (writer, num) =>
            {
                writer.WriteStartObject();
                writer.WriteString("url", "/echo");
                writer.WritePropertyName("file");
                SocketIoPacketWriter.WritePlaceholder(writer, num);
                writer.WriteEndObject();
            },
            attachments,
            TestTimeouts.Default).AsTask();

        Assert.Equal("""451-0["post",{"url":"/echo","file":{"_placeholder":true,"num":0}}]""", await _peer.ReceiveTextAsync());
        var (type, data) = await _peer.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, data);
        await _peer.SendTextAsync("""430[{"statusCode":200}]""");
        await post.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Emit_WithoutAck_SendsTheEventWithoutId()
    {
        var client = await ConnectAsync();

        await client.EmitAsync("chat", "hi", static (writer, text) => writer.WriteStringValue(text)).WaitAsync(TestTimeouts.Default);

        Assert.Equal("""42["chat","hi"]""", await _peer.ReceiveTextAsync());
        Assert.Equal(0, client.PendingAckCount);
    }

    [Fact]
    public async Task Emit_NonAsciiText_IsSentAsUtf8()
    {
        var client = await ConnectAsync();

        await client.EmitAsync("chat", "héllo wörld ✓", static (writer, text) => writer.WriteStringValue(text)).WaitAsync(TestTimeouts.Default);

        Assert.Equal("""42["chat","héllo wörld ✓"]""", await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task Emit_TextOutsideTheBasicPlane_RoundTripsThroughJson()
    {
        // System.Text.Json escapes surrogate pairs even with relaxed escaping ("\uD83D\uDE00"): valid JSON all the same.
        var client = await ConnectAsync();

        await client.EmitAsync("chat", "é😀", static (writer, text) => writer.WriteStringValue(text)).WaitAsync(TestTimeouts.Default);

        var text = await _peer.ReceiveTextAsync();
        Assert.Equal("é😀", JsonSerializer.Deserialize<string[]>(text[2..])![1]);
    }

    [Fact]
    public async Task EmitWithAck_InfiniteTimeout_WaitsForTheAck()
    {
        var clock = new ManualTimeProvider();
        var timer = new TimerSettings(TimeSpan.FromMilliseconds(20), clock);
        var client = await ConnectAsync(CreateOptions(timer));

        var get = GetAsync(client, "/slow", Timeout.InfiniteTimeSpan);
        await _peer.ReceiveTextAsync();
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, client.PendingAckCount);
        Assert.False(get.IsCompleted);

        await _peer.SendTextAsync("""430[{"statusCode":200}]""");
        await get.WaitAsync(TestTimeouts.Default);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task EmitWithAck_NonPositiveTimeout_Throws(int milliseconds)
    {
        var client = await ConnectAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => GetAsync(client, "/x", TimeSpan.FromMilliseconds(milliseconds)).WaitAsync(TestTimeouts.Default));

        Assert.Equal(0, client.PendingAckCount);
    }
}
