using System.Buffers;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.Engine.Transports.WebSockets;
using SailSocket.Protocol;
using SailSocket.SocketIo;
using SailSocket.SocketIo.Protocol;
using SailSocket.UnitTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace SailSocket.UnitTests.Fuzz;

/// <summary>
/// Every pure decoder, fed mutated real frames (docs/protocol.md) with a fixed seed: only the exception the decoder
/// documents may come out, and memory stays bounded (<see cref="FuzzRunner"/>). Short in the suite; docs/fuzzing.md has
/// the long mode.
/// </summary>
[Collection(FuzzGroup.Name)]
public sealed class DecoderFuzzTests(ITestOutputHelper output)
{
    /// <summary>Inputs per decoder in the suite: the whole folder stays within a few seconds on two cores.</summary>
    private const int ShortRun = 10_000;

    // Open packets as captured (protocol.md §2.3), without the leading type digit.
    private static readonly byte[][] s_handshakes = Mutator.Utf8(
        """{"sid":"oicoBpbWfsele-o9AAAB","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":60000,"maxPayload":100000000}""",
        """{"sid":"MNQeYTmC5hM-mxNWAAAB","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":60000,"maxPayload":100000000}""",
        """{"sid":"9hjQ4YQqeghwobezAAAA","upgrades":[],"pingInterval":25000,"pingTimeout":60000,"maxPayload":100000000}""",
        """{"sid":"OZHYK8gTW-cT96K0AAAB","upgrades":["websocket"],"pingInterval":2000,"pingTimeout":1500,"maxPayload":4000}""");

    // Polling payloads as captured (protocol.md §2.4).
    private static readonly byte[][] s_v4Payloads = Mutator.Utf8(
        "430[{\"body\":{\"query\":{\"y\":\"2\"},\"allParams\":{\"y\":\"2\",\"x\":1}},\"headers\":{},\"statusCode\":200}]\u001e461-1[{\"body\":{\"_placeholder\":true,\"num\":0},\"headers\":{},\"statusCode\":200}]\u001ebAQID+g==",
        "0{\"sid\":\"OZHYK8gTW-cT96K0AAAB\",\"upgrades\":[\"websocket\"],\"pingInterval\":2000,\"pingTimeout\":1500,\"maxPayload\":4000}",
        "40{\"sid\":\"_lEinCmrO8QVShxmAAAA\"}",
        "2",
        "420[\"get\",{\"method\":\"get\",\"headers\":{},\"data\":{\"x\":1},\"url\":\"/echo?y=2\"}]\u001e421[\"get\",{\"method\":\"get\",\"headers\":{},\"data\":{},\"url\":\"/binary\"}]");

    private static readonly byte[][] s_v3Payloads = Mutator.Utf8(
        "120:0{\"sid\":\"oicoBpbWfsele-o9AAAB\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":60000,\"maxPayload\":100000000}",
        "79:420[\"get\",{\"method\":\"get\",\"headers\":{},\"data\":{\"text\":\"é😀\"},\"url\":\"/unicode\"}]",
        "88:430[{\"body\":{\"text\":\"héllo wörld ✓ 😀\",\"received\":\"é😀\"},\"headers\":{},\"statusCode\":200}]",
        "1:3144:462-0[{\"body\":{\"name\":\"file.bin\",\"content\":{\"_placeholder\":true,\"num\":0},\"list\":[{\"_placeholder\":true,\"num\":1}]},\"headers\":{},\"statusCode\":200}]6:b4aGk=6:b4/w==",
        "0:",
        "2:40");

    // Socket.IO packets as captured (protocol.md §3), without the Engine.IO message type 4 before them.
    private static readonly byte[][] s_socketIoPackets = Mutator.Utf8(
        "0{\"sid\":\"_lEinCmrO8QVShxmAAAA\"}",
        "0",
        "1",
        "4{\"message\":\"Invalid namespace\"}",
        "4/admin,{\"message\":\"Invalid namespace\"}",
        "4\"Not authorized\"",
        "2[\"chat\",{\"text\":\"hi\"}]",
        "2[\"pet\",{\"verb\":\"created\",\"data\":{\"createdAt\":1795546342621,\"updatedAt\":1795546342621,\"id\":3,\"name\":\"Kit\",\"species\":\"cat\"},\"id\":3}]",
        "27[\"patch\",{\"method\":\"patch\",\"headers\":{\"x-global\":\"G\"},\"data\":{\"name\":\"Tommy\"},\"url\":\"/pet/1\"}]",
        "33[{\"body\":\"Not Found\",\"headers\":{},\"statusCode\":404}]",
        "61-5[{\"body\":{\"_placeholder\":true,\"num\":0},\"headers\":{},\"statusCode\":200}]",
        "62-6[{\"body\":{\"name\":\"file.bin\",\"content\":{\"_placeholder\":true,\"num\":0},\"list\":[{\"_placeholder\":true,\"num\":1}]},\"headers\":{},\"statusCode\":200}]",
        "51-7[\"post\",{\"url\":\"/echo\",\"data\":{\"file\":{\"_placeholder\":true,\"num\":0},\"name\":\"x.bin\"}}]",
        "2/admin,3[\"x\",1]");

    // Event and ack arguments: the JSON after the packet header.
    private static readonly byte[][] s_arrays = Mutator.Utf8(
        "[\"chat\",{\"text\":\"hi\"}]",
        "[\"message\",{\"text\":\"default event name\"}]",
        "[\"pet\",{\"verb\":\"updated\",\"data\":{\"name\":\"Rexy\",\"id\":2,\"updatedAt\":1795546342616},\"id\":2,\"previous\":{\"createdAt\":1795546342611,\"updatedAt\":1795546342611,\"id\":2,\"name\":\"Rex\",\"species\":\"dog\"}}]",
        "[\"get\",{\"method\":\"get\",\"headers\":{},\"data\":{\"text\":\"é😀\"},\"url\":\"/unicode\"}]",
        "[\"héllo \\u00e9 \\ud83d\\ude00\",1,2,3]",
        "[]");

    // JWRs as the ack arguments of protocol.md §4.4 and §5.
    private static readonly byte[][] s_jwrs = Mutator.Utf8(
        "[{\"body\":{\"method\":\"GET\",\"url\":\"/echo\",\"body\":{\"q\":1},\"query\":{}},\"headers\":{},\"statusCode\":200}]",
        "[{\"body\":\"Not Found\",\"headers\":{},\"statusCode\":404}]",
        "[{\"body\":{\"text\":\"héllo wörld ✓ 😀\",\"received\":\"é😀\"},\"headers\":{\"x-count\":3,\"X-Powered-By\":\"Sails\",\"set-cookie\":[\"a=1\"]},\"statusCode\":200}]",
        "[{\"body\":{\"name\":\"file.bin\",\"content\":{\"_placeholder\":true,\"num\":0},\"list\":[{\"_placeholder\":true,\"num\":1}]},\"headers\":{},\"statusCode\":200}]",
        "[{\"code\":\"E_SAILS_PARSE_ERROR\",\"details\":\"Sails could not parse the request\"}]",
        "[{\"body\":null}]",
        "[{}]");

    // WebSocket upgrade answers as socket.io 4.8.1 (ws 8) sends them, a refusal, a redirect, and a 101 with a frame behind it.
    private static readonly byte[][] s_upgradeResponses = Mutator.Utf8(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSet-Cookie: io=abc; Path=/; HttpOnly\r\n\r\n\u0081\u00060{\"a\"}",
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 44\r\nConnection: close\r\n\r\n{\"code\":3,\"message\":\"Bad request\"}",
        "HTTP/1.1 302 Found\r\nLocation: https://elsewhere.example/login?token=x\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

    [Fact]
    public void WebSocket_upgrade_response_reader_throws_only_EngineProtocolException() =>
        Run("WebSocketUpgradeResponseReader.TryRead", s_upgradeResponses, ReadUpgradeResponse, ex => ex is EngineProtocolException);

    [Fact]
    public void Engine_handshake_reader_throws_only_EngineProtocolException() =>
        Run("EngineHandshakeReader.Read", s_handshakes, input => EngineHandshakeReader.Read(input), ex => ex is EngineProtocolException);

    [Fact]
    public void Engine_payload_reader_revision_4_throws_only_EngineProtocolException() =>
        Run("EnginePayloadReader V4", s_v4Payloads, input => ReadPayload(input, EngineRevision.V4), ex => ex is EngineProtocolException);

    [Fact]
    public void Engine_payload_reader_revision_3_throws_only_EngineProtocolException() =>
        Run("EnginePayloadReader V3", s_v3Payloads, input => ReadPayload(input, EngineRevision.V3), ex => ex is EngineProtocolException);

    [Fact]
    public void Socket_io_packet_reader_throws_only_SocketIoProtocolException() =>
        Run("SocketIoPacketReader.Parse", s_socketIoPackets, ParsePacket, ex => ex is SocketIoProtocolException);

    [Fact]
    public void Socket_io_json_array_throws_only_SocketIoProtocolException() =>
        Run("SocketIoJsonArray", s_arrays, ReadArray, ex => ex is SocketIoProtocolException);

    [Fact]
    public void Jwr_reader_throws_only_SailsProtocolException_or_SailsParseErrorException() =>
        Run("JwrReader.Read", s_jwrs, ReadJwr, ex => ex is SailsProtocolException or SailsParseErrorException);

    /// <summary>Reads the head of the whole input and of its first half (an incomplete head must say so, not throw another exception).</summary>
    private static void ReadUpgradeResponse(byte[] input)
    {
        WebSocketUpgradeResponseReader.TryRead(input.AsSpan(0, input.Length / 2), out _);
        if (WebSocketUpgradeResponseReader.TryRead(input, out var response))
        {
            Assert.InRange(response.HeadLength, 16, input.Length);
            Assert.InRange(response.StatusCode, 100, 999);
            var head = input.AsSpan(0, response.HeadLength);
            Assert.True(response.AcceptStart < 0 || response.AcceptStart + response.AcceptLength <= head.Length);
            Assert.True(response.LocationStart < 0 || response.LocationStart + response.LocationLength <= head.Length);
            WebSocketUpgradeResponseReader.GetValues(head, "Set-Cookie"u8);
        }
    }

    /// <summary>Splits the payload into packets, decoding base64 packets; the input arrives in one segment or three.</summary>
    private static void ReadPayload(byte[] input, EngineRevision revision)
    {
        var split1 = input.Length / 3;
        var split2 = (input.Length * 2) / 3;
        foreach (var payload in new[]
        {
            new ReadOnlySequence<byte>(input),
            TestSegment.CreateSequence([input.AsMemory(0, split1), input.AsMemory(split1, split2 - split1), input.AsMemory(split2)]),
        })
        {
            var position = payload.Start;
            var packets = 0;
            while (EnginePayloadReader.TryReadPacket(payload, revision, ref position, out var packet))
            {
                Assert.False(packet.IsEmpty);
                Assert.True(++packets <= input.Length, "More packets than bytes: the reader does not advance.");
                var bytes = packet.ToArray();
                if (EngineBinaryPacket.IsBase64(bytes))
                {
                    EngineBinaryPacket.Decode(bytes, revision);
                }
            }
        }

        EnginePayloadReader.LooksLikeV3(input);
    }

    /// <summary>Parses as one segment and split in two, and reads the arguments of event and ack packets as the client does.</summary>
    private static void ParsePacket(byte[] input)
    {
        var packet = SocketIoPacketReader.Parse(input.AsMemory());
        var half = input.Length / 2;
        var split = SocketIoPacketReader.Parse(TestSegment.CreateSequence([input.AsMemory(0, half), input.AsMemory(half)]));
        Assert.Equal(packet.Type, split.Type);
        Assert.Equal(packet.AckId, split.AckId);
        Assert.Equal(packet.Namespace, split.Namespace);
        Assert.Equal(packet.AttachmentCount, split.AttachmentCount);
        if (packet.Type is SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent)
        {
            SocketIoJsonArray.ReadEventName(packet.Data.ToArray());
        }
    }

    private static void ReadArray(byte[] input)
    {
        try
        {
            SocketIoJsonArray.ReadEventName(input);
        }
        finally
        {
            // GetElement is documented separately: run it whatever ReadEventName did.
            for (var i = 0; i < 3; i++)
            {
                SocketIoJsonArray.GetElement(input, i);
            }
        }
    }

    private static void ReadJwr(byte[] input)
    {
        JwrReader.ReadPlaceholderIndex(input); // documented to return -1, never to throw
        JwrReader.Read(input, [], "get", "/fuzz");
    }

    private void Run(string decoder, byte[][] seeds, Action<byte[]> decode, FuzzRunner.ExceptionFilter isDocumented) =>
        FuzzRunner.Run(output, decoder, seeds, ShortRun, decode, isDocumented);
}
