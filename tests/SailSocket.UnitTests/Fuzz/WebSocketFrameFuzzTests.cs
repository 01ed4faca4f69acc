using System.Buffers;
using System.Net.WebSockets;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.Engine.Transports;
using SailSocket.Engine.Transports.WebSockets;
using Xunit;
using Xunit.Abstractions;

namespace SailSocket.UnitTests.Fuzz;

/// <summary>
/// The managed engine's own WebSocket framing (<see cref="OwnedWebSocket"/>), fed mutated server byte streams: frames of
/// every opcode and length form, fragments with control frames between them, close payloads. Each input is read twice, by
/// <see cref="WebSocketTransport"/> (whole messages, a 4 KiB limit) and piece by piece with small buffers and zero-byte
/// receives; the stream hands the input out in small reads, all completing at once, so a receive that does not complete
/// is a hang. Only <see cref="EngineProtocolException"/>, <see cref="WebSocketException"/> (the input ended inside a frame)
/// and the transport's <see cref="EngineConnectionException"/> (message too large) may come out.
/// </summary>
[Collection(FuzzGroup.Name)]
public sealed class WebSocketFrameFuzzTests(ITestOutputHelper output)
{
    private const int ShortRun = 10_000;

    private static byte[] Frame(int first, ReadOnlySpan<byte> payload, bool longForm = false)
    {
        var frame = new List<byte> { (byte)first };
        if (longForm)
        {
            frame.Add(127);
            frame.AddRange(BitConverter.GetBytes((ulong)payload.Length).Reverse());
        }
        else if (payload.Length > 125)
        {
            frame.Add(126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add((byte)payload.Length);
        }

        frame.AddRange(payload.ToArray());
        return [.. frame];
    }

    private static byte[] Concat(params byte[][] frames) => [.. frames.SelectMany(f => f)];

    /// <summary>Server byte streams as the socket.io server sends them (protocol.md §2.5), plus the control frames RFC 6455 allows.</summary>
    private static readonly byte[][] s_streams =
    [
        Frame(0x81, "0{\"sid\":\"MNQeYTmC5hM-mxNWAAAB\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":60000,\"maxPayload\":100000000}"u8),
        Concat(Frame(0x81, "40{\"sid\":\"_lEinCmrO8QVShxmAAAA\"}"u8), Frame(0x81, "2"u8), Frame(0x81, "430[{\"body\":\"Not Found\",\"headers\":{},\"statusCode\":404}]"u8)),
        Concat(Frame(0x01, "451-[\"file\","u8), Frame(0x89, "ping"u8), Frame(0x00, "{\"_placeholder\":true,"u8), Frame(0x8A, default), Frame(0x80, "\"num\":0}]"u8), Frame(0x82, [1, 2, 3, 0xFA])),
        Concat(Frame(0x82, new byte[300]), Frame(0x82, new byte[5], longForm: true), Frame(0x81, default), Frame(0x82, default)),
        Concat(Frame(0x81, "héllo wörld ✓ 😀"u8), Frame(0x88, [0x03, 0xE8, (byte)'b', (byte)'y', (byte)'e'])),
        Concat(Frame(0x01, [0xF0, 0x9F]), Frame(0x80, [0x98, 0x80])),
        Frame(0x88, default),
        Concat(Frame(0x82, [0x04, 0xDE, 0xAD]), Frame(0x88, [0x0F, 0xA0])),
    ];

    [Fact]
    public void Mutated_server_byte_streams_end_in_documented_exceptions_complete_at_once_and_stay_bounded()
    {
        // Allocation per input byte: a Debug build makes every async state machine a class (about 700 B per receive measured),
        // and here a receive takes 1–7 bytes; still linear in the input, so a length read from it cannot drive an allocation.
        var result = FuzzRunner.Run(output, "OwnedWebSocket.ReceiveAsync", s_streams, ShortRun, Feed, ex => ex is EngineProtocolException or WebSocketException or EngineConnectionException { Error: EngineConnectionError.MessageTooLarge }, allocationPerInputByte: 2048);
        Assert.True(result.Accepted > 0 && result.Documented.Count > 0, result.ToString());
    }

    private static void Feed(byte[] input)
    {
        Exception? first = null;
        try
        {
            ReadMessages(input);
        }
        catch (Exception ex) when (ex is not FuzzFailureException)
        {
            first = ex;
        }

        // The same bytes piece by piece must end the same way: both accept them, or both find the same kind of fault.
        Exception? second = null;
        try
        {
            ReadPieces(input);
        }
        catch (Exception ex) when (ex is not FuzzFailureException)
        {
            second = ex;
        }

        // The transport's size limit may stop it first; the piecewise reader has none.
        if (first is not EngineConnectionException && first?.GetType() != second?.GetType())
        {
            throw new FuzzFailureException($"Whole messages ended with {first?.GetType().Name ?? "success"}, pieces with {second?.GetType().Name ?? "success"}: {second?.Message ?? first?.Message}");
        }

        if (first is not null)
        {
            throw first;
        }
    }

    private static void ReadMessages(byte[] input)
    {
        using var transport = new WebSocketTransport(new OwnedWebSocket(new ScriptedStream(input), ArrayPool<byte>.Shared), ArrayPool<byte>.Shared, maxMessageSize: 4096, EngineRevision.V4);
        for (var calls = 0; ; calls++)
        {
            Bound(calls, input);
            var receive = transport.ReceiveAsync(CancellationToken.None);
            if (!receive.IsCompleted)
            {
                throw new FuzzFailureException("WebSocketTransport.ReceiveAsync did not complete on bytes that were all there: it would hang.");
            }

            if (receive.Result.IsClose)
            {
                return;
            }
        }
    }

    private static void ReadPieces(byte[] input)
    {
        using var socket = new OwnedWebSocket(new ScriptedStream(input), ArrayPool<byte>.Shared);
        var buffer = new byte[1 + (input.Length % 5)];
        for (var calls = 0; ; calls++)
        {
            Bound(calls, input);
            var receive = socket.ReceiveAsync(calls % 3 == 0 ? Memory<byte>.Empty : buffer.AsMemory(), CancellationToken.None);
            if (!receive.IsCompleted)
            {
                throw new FuzzFailureException("OwnedWebSocket.ReceiveAsync did not complete on bytes that were all there: it would hang.");
            }

            var result = receive.Result;
            if (result.Count > buffer.Length)
            {
                throw new FuzzFailureException($"A receive returned {result.Count} bytes into a buffer of {buffer.Length}.");
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
        }
    }

    /// <summary>Every call consumes input or ends a message: more calls than this means a loop that makes no progress.</summary>
    private static void Bound(int calls, byte[] input)
    {
        if (calls > (3 * input.Length) + 10)
        {
            throw new FuzzFailureException($"{calls} receives on {input.Length} bytes without an end.");
        }
    }

    /// <summary>Hands the input out in reads of at most 7 bytes, all completing at once, then the end of the stream; writes vanish.</summary>
    private sealed class ScriptedStream(byte[] input) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var count = Math.Min(Math.Min(buffer.Length, input.Length - _position), 1 + (_position % 7));
            input.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return new ValueTask<int>(count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => default;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
        }
    }
}
