using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Nerdbank.Streams;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.Engine.Transports;
using SailSocket.Engine.Transports.WebSockets;
using SailSocket.Engine.Transports.WebSockets.Framing;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets;

/// <summary>
/// The managed engine's own WebSocket over an in-memory duplex stream: against the BCL's server WebSocket for what a
/// well-behaved server sends, against raw bytes for what a hostile one does, and side by side with the BCL's client
/// WebSocket, which it must answer exactly as.
/// </summary>
public sealed class OwnedWebSocketTests
{
    /// <summary>One connection: the client under test over a socket-like end, the server end as raw bytes.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        public Pair(bool bclClient = false)
        {
            var (server, client) = FullDuplexStream.CreatePair();
            Server = server;
            ClientStream = new SocketLikeStream(client);
            Client = bclClient
                ? WebSocket.CreateFromStream(ClientStream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero })
                : new OwnedWebSocket(ClientStream, ArrayPool<byte>.Shared);
        }

        public Stream Server { get; }

        public Stream ClientStream { get; }

        public WebSocket Client { get; }

        public WebSocket ServerWebSocket() => WebSocket.CreateFromStream(Server, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
        }
    }

    private static byte[] Frame(bool fin, WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[WebSocketFrameWriter.MaxHeaderLength + payload.Length];
        var length = WebSocketFrameWriter.WriteHeader(frame, fin, opcode, payload.Length, masked: false, 0);
        payload.CopyTo(frame.AsSpan(length));
        return frame.AsSpan(0, length + payload.Length).ToArray();
    }

    private static async Task WriteAsync(Stream server, params byte[][] frames)
    {
        foreach (var frame in frames)
        {
            await server.WriteAsync(frame).AsTask().WaitAsync(TestTimeouts.Default);
        }

        await server.FlushAsync();
    }

    private static async Task ReadExactlyAsync(Stream stream, Memory<byte> buffer)
    {
        using var bound = new CancellationTokenSource(TestTimeouts.Default);
        await stream.ReadExactlyAsync(buffer, bound.Token);
    }

    /// <summary>Reads one frame the client sent, checks it is masked, and unmasks it byte by byte.</summary>
    private static async Task<(bool Fin, WebSocketOpcode Opcode, byte[] Payload, uint Key)> ReadClientFrameAsync(Stream server)
    {
        var head = new byte[2];
        await ReadExactlyAsync(server, head);
        Assert.True((head[1] & 0x80) != 0, "a client frame must be masked");
        long length = head[1] & 0x7F;
        if (length >= 126)
        {
            var extended = new byte[length == 126 ? 2 : 8];
            await ReadExactlyAsync(server, extended);
            length = extended.Aggregate(0L, (value, b) => (value << 8) | b);
        }

        var key = new byte[4];
        await ReadExactlyAsync(server, key);
        var payload = new byte[length];
        await ReadExactlyAsync(server, payload);
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] ^= key[i % 4];
        }

        return ((head[0] & 0x80) != 0, (WebSocketOpcode)(head[0] & 0x0F), payload, BitConverter.ToUInt32(key));
    }

    /// <summary>What <see cref="WebSocketTransport"/> does: a zero-byte receive, then receives until the end of the message.</summary>
    private static async Task<(WebSocketMessageType Type, byte[] Data, List<string> Calls)> ReceiveMessageAsync(WebSocket socket, int bufferSize = 4096)
    {
        var calls = new List<string>();
        using var bound = new CancellationTokenSource(TestTimeouts.Default);
        var first = await socket.ReceiveAsync(Memory<byte>.Empty, bound.Token);
        calls.Add($"{first.Count} {first.MessageType} {first.EndOfMessage}");
        var data = new List<byte>();
        var last = first;
        var buffer = new byte[bufferSize];
        while (!last.EndOfMessage)
        {
            last = await socket.ReceiveAsync(buffer.AsMemory(), bound.Token);
            calls.Add($"{last.Count} {last.MessageType} {last.EndOfMessage}");
            data.AddRange(buffer.AsSpan(0, last.Count));
        }

        return (first.MessageType, [.. data], calls);
    }

    public static TheoryData<int> Sizes => [0, 1, 125, 126, 65535, 65536, 100_000];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Text_and_binary_messages_round_trip_with_the_BCL_server_at_every_length_form(int size)
    {
        await using var pair = new Pair();
        using var server = pair.ServerWebSocket();
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, size).Select(i => (char)('a' + (i % 26)))));
        var binary = new byte[size];
        new Random(size).NextBytes(binary);

        // The pipe under the pair pushes back when nobody reads: both ends read while the other writes.
        var atServer = Task.Run(async () => (await ReceiveMessageAsync(server, 1000), await ReceiveMessageAsync(server, 1000)));
        await pair.Client.SendAsync(new ReadOnlyMemory<byte>(text), WebSocketMessageType.Text, true, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        await pair.Client.SendAsync(new ReadOnlyMemory<byte>(binary), WebSocketMessageType.Binary, true, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        var (atServer1, atServer2) = await atServer.WaitAsync(TestTimeouts.Default);
        Assert.Equal(WebSocketMessageType.Text, atServer1.Type);
        Assert.Equal(text, atServer1.Data);
        Assert.Equal(WebSocketMessageType.Binary, atServer2.Type);
        Assert.Equal(binary, atServer2.Data);

        var atClient = Task.Run(async () => (await ReceiveMessageAsync(pair.Client), await ReceiveMessageAsync(pair.Client, 777)));
        await server.SendAsync(text, WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(TestTimeouts.Default);
        await server.SendAsync(binary, WebSocketMessageType.Binary, true, CancellationToken.None).WaitAsync(TestTimeouts.Default);
        var (atClient1, atClient2) = await atClient.WaitAsync(TestTimeouts.Default);
        Assert.Equal(WebSocketMessageType.Text, atClient1.Type);
        Assert.Equal(text, atClient1.Data);
        Assert.Equal(WebSocketMessageType.Binary, atClient2.Type);
        Assert.Equal(binary, atClient2.Data);
        Assert.Equal(WebSocketState.Open, pair.Client.State);
    }

    [Fact]
    public async Task Fragments_sent_by_the_client_reach_the_BCL_server_as_one_message_and_each_frame_has_its_own_mask()
    {
        await using var pair = new Pair();
        await pair.Client.SendAsync(new ReadOnlyMemory<byte>("frag"u8.ToArray()), WebSocketMessageType.Text, false, CancellationToken.None);
        await pair.Client.SendAsync(new ReadOnlyMemory<byte>("ment"u8.ToArray()), WebSocketMessageType.Text, true, CancellationToken.None);
        await pair.Client.SendAsync(new ReadOnlyMemory<byte>("next"u8.ToArray()), WebSocketMessageType.Binary, true, CancellationToken.None);

        var first = await ReadClientFrameAsync(pair.Server);
        var second = await ReadClientFrameAsync(pair.Server);
        var third = await ReadClientFrameAsync(pair.Server);
        Assert.Equal((false, WebSocketOpcode.Text, "frag"), (first.Fin, first.Opcode, Encoding.ASCII.GetString(first.Payload)));
        Assert.Equal((true, WebSocketOpcode.Continuation, "ment"), (second.Fin, second.Opcode, Encoding.ASCII.GetString(second.Payload)));
        Assert.Equal((true, WebSocketOpcode.Binary, "next"), (third.Fin, third.Opcode, Encoding.ASCII.GetString(third.Payload)));
        Assert.Equal(3, new[] { first.Key, second.Key, third.Key }.Distinct().Count());
    }

    /// <summary>
    /// The same server bytes to the BCL's client WebSocket and to ours, read the way the transport reads (zero-byte receive,
    /// then until the end of the message): every call must return the same count, type and end-of-message.
    /// </summary>
    [Theory]
    [InlineData(4096)]
    [InlineData(3)]
    [InlineData(1)]
    public async Task Every_receive_returns_what_the_BCL_client_returns_for_the_same_bytes(int bufferSize)
    {
        byte[][] script =
        [
            Frame(true, WebSocketOpcode.Text, "hello"u8),
            Frame(true, WebSocketOpcode.Text, default),
            Frame(true, WebSocketOpcode.Binary, default),
            Frame(false, WebSocketOpcode.Binary, "ab"u8),
            Frame(true, WebSocketOpcode.Ping, "p"u8),
            Frame(false, WebSocketOpcode.Continuation, default),
            Frame(true, WebSocketOpcode.Continuation, "cdefgh"u8),
            Frame(false, WebSocketOpcode.Text, default),
            Frame(true, WebSocketOpcode.Pong, default),
            Frame(true, WebSocketOpcode.Continuation, "x"u8),
            Frame(true, WebSocketOpcode.Text, Encoding.UTF8.GetBytes("é€😀")),
            Frame(true, WebSocketOpcode.Binary, new byte[300]),
        ];

        async Task<List<string>> RunAsync(bool bcl)
        {
            await using var pair = new Pair(bcl);
            var drain = pair.Server.CopyToAsync(Stream.Null); // pongs
            await WriteAsync(pair.Server, script);
            var calls = new List<string>();
            for (var i = 0; i < 7; i++)
            {
                var message = await ReceiveMessageAsync(pair.Client, bufferSize);
                calls.Add($"[{Convert.ToHexString(message.Data)}]");
                calls.AddRange(message.Calls);
            }

            await WriteAsync(pair.Server, Frame(true, WebSocketOpcode.Close, [0x03, 0xE8, (byte)'o', (byte)'k']));
            using var bound = new CancellationTokenSource(TestTimeouts.Default);
            var close = await pair.Client.ReceiveAsync(new byte[10].AsMemory(), bound.Token);
            calls.Add($"{close.Count} {close.MessageType} {close.EndOfMessage} {pair.Client.CloseStatus} {pair.Client.CloseStatusDescription}");
            return calls;
        }

        var expected = await RunAsync(bcl: true);
        var actual = await RunAsync(bcl: false);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_zero_byte_receive_waits_for_a_frame_without_completing_and_holds_no_buffer_of_the_stream()
    {
        var (server, client) = FullDuplexStream.CreatePair();
        await using var coalescing = new CoalescingStream(new SocketLikeStream(client), ArrayPool<byte>.Shared);
        using var socket = new OwnedWebSocket(coalescing, ArrayPool<byte>.Shared);

        var pending = socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).AsTask();
        await Task.Delay(TestTimeouts.Quiet);
        Assert.False(pending.IsCompleted);
        Assert.False(coalescing.HoldsBuffer);

        await WriteAsync(server, Frame(true, WebSocketOpcode.Text, "4hi"u8));
        var result = await pending.WaitAsync(TestTimeouts.Default);
        Assert.Equal((0, WebSocketMessageType.Text, false), (result.Count, result.MessageType, result.EndOfMessage));
        var buffer = new byte[10];
        result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal((3, true), (result.Count, result.EndOfMessage));
        Assert.Equal("4hi", Encoding.ASCII.GetString(buffer, 0, 3));
        Assert.False(coalescing.HoldsBuffer);
    }

    [Fact]
    public async Task A_ping_between_fragments_is_answered_with_its_payload_and_the_message_arrives_whole()
    {
        await using var pair = new Pair();
        await WriteAsync(pair.Server, Frame(false, WebSocketOpcode.Text, "42[\"a\","u8), Frame(true, WebSocketOpcode.Ping, "ping-data"u8), Frame(true, WebSocketOpcode.Continuation, "1]"u8));

        var message = await ReceiveMessageAsync(pair.Client);
        Assert.Equal("42[\"a\",1]", Encoding.UTF8.GetString(message.Data));
        var pong = await ReadClientFrameAsync(pair.Server);
        Assert.Equal((true, WebSocketOpcode.Pong, "ping-data"), (pong.Fin, pong.Opcode, Encoding.ASCII.GetString(pong.Payload)));
    }

    [Fact]
    public async Task A_ping_while_a_send_holds_the_socket_is_answered_before_the_next_frame()
    {
        await using var pair = new Pair();
        var lockField = typeof(OwnedWebSocket).GetField("_sendLock", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var sendLock = (SemaphoreSlim)lockField.GetValue(pair.Client)!;
        await sendLock.WaitAsync(); // a send in progress
        await WriteAsync(pair.Server, Frame(true, WebSocketOpcode.Ping, "later"u8), Frame(true, WebSocketOpcode.Text, "3"u8));
        Assert.Equal("3", Encoding.ASCII.GetString((await ReceiveMessageAsync(pair.Client)).Data));
        sendLock.Release();

        await pair.Client.SendAsync(new ReadOnlyMemory<byte>("2"u8.ToArray()), WebSocketMessageType.Text, true, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        var pong = await ReadClientFrameAsync(pair.Server);
        var data = await ReadClientFrameAsync(pair.Server);
        Assert.Equal((WebSocketOpcode.Pong, "later"), (pong.Opcode, Encoding.ASCII.GetString(pong.Payload)));
        Assert.Equal((WebSocketOpcode.Text, "2"), (data.Opcode, Encoding.ASCII.GetString(data.Payload)));
    }

    [Fact]
    public async Task A_ping_while_a_batch_is_gathered_is_not_written_into_it_but_leads_the_next_send()
    {
        var (server, client) = FullDuplexStream.CreatePair();
        var recording = new RecordingStream(new SocketLikeStream(client));
        await using var coalescing = new CoalescingStream(recording, ArrayPool<byte>.Shared);
        using var socket = new OwnedWebSocket(coalescing, ArrayPool<byte>.Shared);

        // The send queue corks, then its flush runs outside the socket's lock: a pong must not slip into that batch.
        coalescing.Cork();
        await WriteAsync(server, Frame(true, WebSocketOpcode.Ping, "p1"u8), Frame(true, WebSocketOpcode.Text, "4x"u8));
        Assert.Equal("4x", Encoding.ASCII.GetString((await ReceiveMessageAsync(socket)).Data));
        Assert.Equal(0, coalescing.BufferedCount);
        await coalescing.FlushBatchAsync();
        Assert.Equal(0, recording.Writes);

        await socket.SendAsync(new ReadOnlyMemory<byte>("4y"u8.ToArray()), WebSocketMessageType.Text, true, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        var pong = await ReadClientFrameAsync(server);
        var data = await ReadClientFrameAsync(server);
        Assert.Equal((WebSocketOpcode.Pong, "p1"), (pong.Opcode, Encoding.ASCII.GetString(pong.Payload)));
        Assert.Equal((WebSocketOpcode.Text, "4y"), (data.Opcode, Encoding.ASCII.GetString(data.Payload)));
    }

    [Fact]
    public async Task A_server_close_is_reported_answered_with_its_status_and_closes_the_socket()
    {
        await using var pair = new Pair();
        using var server = pair.ServerWebSocket();
        await server.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "go away", CancellationToken.None);

        using var bound = new CancellationTokenSource(TestTimeouts.Default);
        var result = await pair.Client.ReceiveAsync(Memory<byte>.Empty, bound.Token);
        Assert.Equal((0, WebSocketMessageType.Close, true), (result.Count, result.MessageType, result.EndOfMessage));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, pair.Client.CloseStatus);
        Assert.Equal("go away", pair.Client.CloseStatusDescription);
        Assert.Equal(WebSocketState.Closed, pair.Client.State);

        var answer = await server.ReceiveAsync(new byte[16], bound.Token);
        Assert.Equal(WebSocketMessageType.Close, answer.MessageType);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, answer.CloseStatus);
        await Assert.ThrowsAsync<WebSocketException>(() => pair.Client.ReceiveAsync(new byte[4].AsMemory(), bound.Token).AsTask());
    }

    [Fact]
    public async Task A_client_close_reaches_the_server_then_its_answer_closes_the_socket()
    {
        await using var pair = new Pair();
        using var server = pair.ServerWebSocket();
        using var bound = new CancellationTokenSource(TestTimeouts.Default);

        await pair.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", bound.Token);
        Assert.Equal(WebSocketState.CloseSent, pair.Client.State);
        await pair.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "again: nothing sent", bound.Token);
        await Assert.ThrowsAsync<WebSocketException>(() => pair.Client.SendAsync(new ReadOnlyMemory<byte>("x"u8.ToArray()), WebSocketMessageType.Text, true, bound.Token).AsTask());

        var atServer = await server.ReceiveAsync(new byte[16], bound.Token);
        Assert.Equal((WebSocketMessageType.Close, WebSocketCloseStatus.NormalClosure, "done"), (atServer.MessageType, atServer.CloseStatus, atServer.CloseStatusDescription));
        await server.SendAsync("late"u8.ToArray(), WebSocketMessageType.Text, true, bound.Token); // a server may still send until it closes
        await server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, bound.Token);

        Assert.Equal("late", Encoding.ASCII.GetString((await ReceiveMessageAsync(pair.Client)).Data));
        var close = await pair.Client.ReceiveAsync(Memory<byte>.Empty, bound.Token);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketState.Closed, pair.Client.State);
    }

    [Fact]
    public async Task Close_arguments_the_protocol_forbids_are_refused_before_anything_is_sent()
    {
        await using var pair = new Pair();
        await Assert.ThrowsAsync<ArgumentException>(() => pair.Client.CloseOutputAsync((WebSocketCloseStatus)1006, null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => pair.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, new string('x', 124), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => pair.Client.CloseOutputAsync(WebSocketCloseStatus.Empty, "why", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => pair.Client.SendAsync(new ReadOnlyMemory<byte>("x"u8.ToArray()), WebSocketMessageType.Close, true, CancellationToken.None).AsTask());
        Assert.Equal(WebSocketState.Open, pair.Client.State);
    }

    public static TheoryData<string, byte[], string> Violations => new()
    {
        { "rsv1", [0xC1, 1, (byte)'x'], "reserved bits" },
        { "masked", [0x81, 0x81, 1, 2, 3, 4, 5], "masked" },
        { "opcode 3", [0x83, 0], "unknown opcode" },
        { "fragmented ping", [0x09, 0], "fragmented" },
        { "ping of 126", [0x89, 126, 0, 126, .. new byte[126]], "longer than 125" },
        { "64-bit top bit", [0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1], "most significant bit" },
        { "continuation first", [0x80, 1, (byte)'x'], "no message started" },
        { "text inside binary", [0x02, 1, 1, 0x81, 1, (byte)'x'], "before the previous one ended" },
        { "close of one byte", [0x88, 1, 3], "one-byte" },
        { "close 1005", [0x88, 2, 0x03, 0xED], "1005" },
        { "close 2000", [0x88, 2, 0x07, 0xD0], "2000" },
        { "close reason not utf8", [0x88, 4, 0x03, 0xE8, 0xFF, 0xFE], "reason is not valid UTF-8" },
        { "text not utf8", [0x81, 2, 0xC3, 0x28], "not valid UTF-8" },
        { "text cut sequence at end", [0x81, 2, (byte)'a', 0xE2], "not valid UTF-8" },
        { "text invalid across fragments", [0x01, 2, (byte)'a', 0xE2, 0x80, 2, 0x82, 0x28], "not valid UTF-8" },
        { "text empty last fragment after cut", [0x01, 1, 0xF0, 0x80, 0], "not valid UTF-8" },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_frame_that_breaks_RFC_6455_fails_the_receive_with_a_protocol_exception_and_aborts(string name, byte[] bytes, string words)
    {
        await using var pair = new Pair();
        var drain = pair.Server.CopyToAsync(Stream.Null);
        await WriteAsync(pair.Server, bytes);

        var error = await Assert.ThrowsAsync<EngineProtocolException>(async () =>
        {
            for (var i = 0; i < 4; i++)
            {
                await ReceiveMessageAsync(pair.Client, 1);
            }
        });
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.True(pair.Client.State == WebSocketState.Aborted, name);
    }

    [Theory]
    [InlineData(new byte[] { 0xC1, 0 }, 1002)]
    [InlineData(new byte[] { 0x81, 1, 0xFF }, 1007)]
    public async Task A_violation_is_answered_with_a_close_frame_naming_it_when_the_socket_is_free(byte[] bytes, int code)
    {
        await using var pair = new Pair();
        await WriteAsync(pair.Server, bytes);
        await Assert.ThrowsAsync<EngineProtocolException>(() => ReceiveMessageAsync(pair.Client));

        var close = await ReadClientFrameAsync(pair.Server);
        Assert.Equal(WebSocketOpcode.Close, close.Opcode);
        Assert.Equal(code, (close.Payload[0] << 8) | close.Payload[1]);
    }

    [Fact]
    public async Task The_connection_ending_inside_a_frame_fails_the_receive_as_a_premature_close()
    {
        await using var pair = new Pair();
        await WriteAsync(pair.Server, [0x81, 10, (byte)'a', (byte)'b']);
        pair.Server.Dispose();

        var error = await Assert.ThrowsAsync<WebSocketException>(() => ReceiveMessageAsync(pair.Client));
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, error.WebSocketErrorCode);
        Assert.Equal(WebSocketState.Aborted, pair.Client.State);
    }

    [Fact]
    public async Task Abort_during_a_pending_receive_ends_it_at_once()
    {
        await using var pair = new Pair();
        var pending = pair.Client.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).AsTask();
        await Task.Delay(TestTimeouts.Quiet);
        Assert.False(pending.IsCompleted);

        pair.Client.Abort();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => pending.WaitAsync(TestTimeouts.Default));
        Assert.True(error is OperationCanceledException or WebSocketException, error.ToString());
        Assert.Equal(WebSocketState.Aborted, pair.Client.State);
        await Assert.ThrowsAsync<WebSocketException>(() => pair.Client.SendAsync(new ReadOnlyMemory<byte>("x"u8.ToArray()), WebSocketMessageType.Text, true, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Cancelling_a_receive_aborts_the_socket_as_the_BCL_does()
    {
        await using var pair = new Pair();
        using var cancel = new CancellationTokenSource();
        var pending = pair.Client.ReceiveAsync(new byte[16].AsMemory(), cancel.Token).AsTask();
        cancel.Cancel();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TestTimeouts.Default));
        Assert.Equal(cancel.Token, error.CancellationToken);
        Assert.Equal(WebSocketState.Aborted, pair.Client.State);
    }

    [Fact]
    public async Task A_frame_declaring_a_terabyte_is_handed_out_piece_by_piece_and_the_transport_stops_it_at_its_limit()
    {
        await using var pair = new Pair();
        using var transport = new WebSocketTransport(pair.Client, ArrayPool<byte>.Shared, maxMessageSize: 10_000, EngineRevision.V4);
        var header = new byte[10];
        WebSocketFrameWriter.WriteHeader(header, fin: true, WebSocketOpcode.Binary, 1L << 40, masked: false, 0);
        var writing = Task.Run(async () =>
        {
            await pair.Server.WriteAsync(header);
            var chunk = new byte[4096];
            for (var i = 0; i < 8; i++)
            {
                await pair.Server.WriteAsync(chunk);
            }
        });

        var error = await Assert.ThrowsAsync<EngineConnectionException>(() => transport.ReceiveAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.MessageTooLarge, error.Error);
        await writing.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Under_the_transport_a_batch_leaves_in_one_write_and_messages_arrive_whole()
    {
        var (server, client) = FullDuplexStream.CreatePair();
        var recording = new RecordingStream(new SocketLikeStream(client));
        var coalescing = new CoalescingStream(recording, ArrayPool<byte>.Shared);
        using var transport = new WebSocketTransport(new OwnedWebSocket(coalescing, ArrayPool<byte>.Shared), ArrayPool<byte>.Shared, 1 << 20, EngineRevision.V4, coalescing);
        using var serverSocket = WebSocket.CreateFromStream(server, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        transport.BeginBatch();
        await transport.WriteAsync("4a"u8.ToArray(), null);
        await transport.WriteAsync("4b"u8.ToArray(), [new byte[] { 1, 2, 3 }]);
        await transport.WriteAsync("4c"u8.ToArray(), null);
        Assert.Equal(0, recording.Writes);
        await transport.EndBatchAsync();
        Assert.Equal(1, recording.Writes);

        Assert.Equal("4a", Encoding.ASCII.GetString((await ReceiveMessageAsync(serverSocket)).Data));
        Assert.Equal("4b", Encoding.ASCII.GetString((await ReceiveMessageAsync(serverSocket)).Data));
        Assert.Equal([1, 2, 3], (await ReceiveMessageAsync(serverSocket)).Data);
        Assert.Equal("4c", Encoding.ASCII.GetString((await ReceiveMessageAsync(serverSocket)).Data));

        await serverSocket.SendAsync("4hello"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var message = await transport.ReceiveAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal("4hello", Encoding.ASCII.GetString(message.Data.Span));
        transport.ReleaseReceiveBuffer();
        Assert.False(coalescing.HoldsBuffer);
    }

    [Fact]
    public async Task A_ping_that_arrives_while_a_batch_is_being_written_is_answered_after_that_write_never_beside_it()
    {
        var (server, client) = FullDuplexStream.CreatePair();
        var gated = new RecordingStream(new SocketLikeStream(client));
        var coalescing = new CoalescingStream(gated, ArrayPool<byte>.Shared);
        using var transport = new WebSocketTransport(new OwnedWebSocket(coalescing, ArrayPool<byte>.Shared), ArrayPool<byte>.Shared, 1 << 20, EngineRevision.V4, coalescing);

        transport.BeginBatch();
        await transport.WriteAsync("4a"u8.ToArray(), null);
        await transport.WriteAsync("4b"u8.ToArray(), null);
        var release = gated.HoldNextWrite();
        var end = transport.EndBatchAsync().AsTask();
        await gated.HeldWriteStarted.Task.WaitAsync(TestTimeouts.Default);

        // The batch's one write is still in flight (as on a slow socket, or SslStream, which refuses a second write).
        await WriteAsync(server, Frame(true, WebSocketOpcode.Ping, "p1"u8), Frame(true, WebSocketOpcode.Text, "4x"u8));
        var message = await transport.ReceiveAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal("4x", Encoding.ASCII.GetString(message.Data.Span));
        transport.ReleaseReceiveBuffer();
        Assert.Equal(0, gated.Overlaps);

        release.SetResult();
        await end.WaitAsync(TestTimeouts.Default);
        await transport.WriteAsync("4c"u8.ToArray(), null).AsTask().WaitAsync(TestTimeouts.Default);

        var frames = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var frame = await ReadClientFrameAsync(server).WaitAsync(TestTimeouts.Default);
            frames.Add($"{frame.Opcode}:{Encoding.ASCII.GetString(frame.Payload)}");
        }

        Assert.Equal(["Text:4a", "Text:4b", "Pong:p1", "Text:4c"], frames);
        Assert.Equal(0, gated.Overlaps);
    }

    [Fact]
    public async Task A_threads_send_batch_leaves_in_one_write_and_one_held_up_is_written_at_its_second_tick()
    {
        var (server, client) = FullDuplexStream.CreatePair();
        var counted = new RecordingStream(new SocketLikeStream(client));
        var coalescing = new CoalescingStream(counted, ArrayPool<byte>.Shared);
        using var transport = new WebSocketTransport(new OwnedWebSocket(coalescing, ArrayPool<byte>.Shared), ArrayPool<byte>.Shared, 1 << 20, EngineRevision.V4, coalescing);

        // No await before EndSendBatch: the batch belongs to this thread. Gathered sends complete at once.
        Assert.True(transport.BeginSendBatch());
        Assert.True(Completion.CompletedNow(transport.SendAsync("4a"u8.ToArray(), null, long.MaxValue, CancellationToken.None)));
        Assert.True(Completion.CompletedNow(transport.SendAsync("4b"u8.ToArray(), null, long.MaxValue, CancellationToken.None)));
        Assert.Equal(0, counted.Writes);
        transport.EndSendBatch();
        Assert.Equal(1, counted.Writes);

        // A batch whose thread is held up (in a caller's code) is written at the second tick that sees it, not the first.
        Assert.True(transport.BeginSendBatch());
        Assert.True(Completion.CompletedNow(transport.SendAsync("4c"u8.ToArray(), null, long.MaxValue, CancellationToken.None)));
        transport.WriteStaleBatch();
        Assert.Equal(1, counted.Writes);
        transport.WriteStaleBatch();
        Assert.Equal(2, counted.Writes);
        transport.EndSendBatch();
        Assert.Equal(2, counted.Writes);

        // A batch that ends between ticks is never written twice, nor early.
        Assert.True(transport.BeginSendBatch());
        transport.WriteStaleBatch();
        Assert.True(Completion.CompletedNow(transport.SendAsync("4d"u8.ToArray(), null, long.MaxValue, CancellationToken.None)));
        transport.EndSendBatch();
        transport.WriteStaleBatch();
        Assert.Equal(3, counted.Writes);

        var frames = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var frame = await ReadClientFrameAsync(server).WaitAsync(TestTimeouts.Default);
            frames.Add(Encoding.ASCII.GetString(frame.Payload));
        }

        Assert.Equal(["4a", "4b", "4c", "4d"], frames);
        Assert.Equal(0, counted.Overlaps);
    }

    [Fact]
    public async Task A_violation_under_a_connection_ends_it_with_ProtocolError_naming_the_rule_and_no_payload_byte()
    {
        await using var pair = new Pair();
        var options = new EngineOptions
        {
            Url = new Uri("http://127.0.0.1:1"),
            WebSocketFactory = (_, _) => ValueTask.FromResult(pair.Client),
            ConnectTimeout = TestTimeouts.Default,
        };
        var drain = pair.Server.CopyToAsync(Stream.Null);
        await WriteAsync(pair.Server, Frame(true, WebSocketOpcode.Text, Encoding.UTF8.GetBytes(WebSocketPeer.OpenPacket())));
        await using var connection = await EngineConnection.ConnectAsync(options).WaitAsync(TestTimeouts.Default);

        await WriteAsync(pair.Server, Frame(true, WebSocketOpcode.Text, "4ok"u8), [0x81, 0x05, (byte)'4', (byte)'s', (byte)'e', 0xC3, 0x28]);
        Assert.Equal("ok", Encoding.UTF8.GetString((await connection.ReceiveWithinAsync()).Data.Span));
        var error = await Assert.ThrowsAsync<EngineConnectionException>(() => connection.ReceiveWithinAsync());

        Assert.Equal(EngineConnectionError.ProtocolError, error.Error);
        Assert.IsType<EngineProtocolException>(error.InnerException);
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("4se", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Counts the writes, and those that begin while another is still in flight; holds one write on request.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private int _writes;
        private int _writing;
        private int _overlaps;
        private TaskCompletionSource? _hold;

        public int Writes => Volatile.Read(ref _writes);

        public int Overlaps => Volatile.Read(ref _overlaps);

        public TaskCompletionSource HeldWriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        /// <summary>The next write waits until the returned source is completed.</summary>
        public TaskCompletionSource HoldNextWrite()
        {
            var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _hold, hold);
            return hold;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writes);
            if (Interlocked.Increment(ref _writing) > 1)
            {
                Interlocked.Increment(ref _overlaps);
            }

            try
            {
                if (Interlocked.Exchange(ref _hold, null) is { } hold)
                {
                    HeldWriteStarted.TrySetResult();
                    await hold.Task;
                }

                await inner.WriteAsync(buffer, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _writing);
            }
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
