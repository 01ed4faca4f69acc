using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// Polling payloads of both revisions (protocol.md §2.3, §2.4), captured from a real server, split into packets from every
/// split variant. Every variant must give the same packets.
/// </summary>
public sealed class EnginePayloadReaderTests
{
    private const string OpenJson = """{"sid":"oicoBpbWfsele-o9AAAB","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":60000,"maxPayload":100000000}""";

    public static TheoryData<EngineRevision, string, string[]> CapturedPayloads => new()
    {
        // §2.3: EIO3 handshake response; EIO4 handshake response.
        { EngineRevision.V3, "120:0" + OpenJson, ["0" + OpenJson] },
        { EngineRevision.V4, "0" + OpenJson, ["0" + OpenJson] },

        // §2.4: UTF-16 lengths (the emoji counts 2), one packet each way.
        {
            EngineRevision.V3,
            """79:420["get",{"method":"get","headers":{},"data":{"text":"é😀"},"url":"/unicode"}]""",
            ["""420["get",{"method":"get","headers":{},"data":{"text":"é😀"},"url":"/unicode"}]"""]
        },
        {
            EngineRevision.V3,
            """88:430[{"body":{"text":"héllo wörld ✓ 😀","received":"é😀"},"headers":{},"statusCode":200}]""",
            ["""430[{"body":{"text":"héllo wörld ✓ 😀","received":"é😀"},"headers":{},"statusCode":200}]"""]
        },

        // §2.4: a pong, a binary ack header and two base64 attachments in one EIO3 payload.
        {
            EngineRevision.V3,
            """1:3144:462-0[{"body":{"name":"file.bin","content":{"_placeholder":true,"num":0},"list":[{"_placeholder":true,"num":1}]},"headers":{},"statusCode":200}]6:b4aGk=6:b4/w==""",
            ["3", """462-0[{"body":{"name":"file.bin","content":{"_placeholder":true,"num":0},"list":[{"_placeholder":true,"num":1}]},"headers":{},"statusCode":200}]""", "b4aGk=", "b4/w=="]
        },

        // §2.7: the noop that releases a pending poll; §2.8 close; §3.3 the server's CONNECT in the next poll.
        { EngineRevision.V3, "1:6", ["6"] },
        { EngineRevision.V3, "1:1", ["1"] },
        { EngineRevision.V3, "2:40", ["40"] },

        // An empty packet ("0:") is skipped, as the server's decoder does.
        { EngineRevision.V3, "0:2:40", ["40"] },
        { EngineRevision.V3, "0:", [] },

        // §2.4: the EIO4 batch with a binary ack and its base64 attachment.
        {
            EngineRevision.V4,
            "430[{\"body\":{\"query\":{\"y\":\"2\"}},\"headers\":{},\"statusCode\":200}]\u001e461-1[{\"body\":{\"_placeholder\":true,\"num\":0},\"headers\":{},\"statusCode\":200}]\u001ebAQID+g==",
            ["430[{\"body\":{\"query\":{\"y\":\"2\"}},\"headers\":{},\"statusCode\":200}]", "461-1[{\"body\":{\"_placeholder\":true,\"num\":0},\"headers\":{},\"statusCode\":200}]", "bAQID+g=="]
        },
        {
            EngineRevision.V4,
            "420[\"get\",{\"method\":\"get\",\"headers\":{},\"data\":{\"x\":1},\"url\":\"/echo?y=2\"}]\u001e421[\"get\",{\"method\":\"get\",\"headers\":{},\"data\":{},\"url\":\"/binary\"}]",
            ["420[\"get\",{\"method\":\"get\",\"headers\":{},\"data\":{\"x\":1},\"url\":\"/echo?y=2\"}]", "421[\"get\",{\"method\":\"get\",\"headers\":{},\"data\":{},\"url\":\"/binary\"}]"]
        },
        { EngineRevision.V4, "40{\"sid\":\"_lEinCmrO8QVShxmAAAA\"}", ["40{\"sid\":\"_lEinCmrO8QVShxmAAAA\"}"] },
        { EngineRevision.V4, "2", ["2"] },
        { EngineRevision.V4, "6", ["6"] },
        { EngineRevision.V4, "", [] },
        { EngineRevision.V4, "42[\"é😀\"]\u001e3", ["42[\"é😀\"]", "3"] },
    };

    public static TheoryData<EngineRevision, string, int> MalformedPayloads => new()
    {
        // Not a length, a wrong length, junk after a packet, a truncated packet, a length ending inside a surrogate pair.
        { EngineRevision.V3, "x:40", 0 },
        { EngineRevision.V3, ":40", 0 },
        { EngineRevision.V3, "240", 3 },
        { EngineRevision.V3, "2:40x", 4 },
        { EngineRevision.V3, "9:40", 4 },
        { EngineRevision.V3, "12345678901:4", 10 },
        { EngineRevision.V3, "3:42😀", 2 },
        { EngineRevision.V3, "3:4\u00ff", 3 },

        // Empty packets between or after separators.
        { EngineRevision.V4, "40\u001e\u001e3", 3 },
        { EngineRevision.V4, "\u001e3", 0 },
        { EngineRevision.V4, "40\u001e", 2 },
    };

    [Theory]
    [MemberData(nameof(CapturedPayloads))]
    public void TryReadPacket_CapturedPayload_EveryVariantGivesThePackets(EngineRevision revision, string payload, string[] expected)
    {
        foreach (var (name, sequence) in SequenceVariants.Get(payload))
        {
            var packets = ReadAll(sequence, revision);
            Assert.True(expected.Length == packets.Count, $"{name}: {packets.Count} packets");
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(expected[i] == packets[i], $"{name}: packet {i} was '{packets[i]}'");
            }
        }
    }

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public void TryReadPacket_MalformedPayload_ThrowsWithTheOffset(EngineRevision revision, string payload, int offset)
    {
        var bytes = payload == "3:4\u00ff" ? [(byte)'3', (byte)':', (byte)'4', 0xFF] : Encoding.UTF8.GetBytes(payload);
        foreach (var (name, sequence) in SequenceVariants.Get(bytes))
        {
            var ex = Assert.Throws<EngineProtocolException>(() => ReadAll(sequence, revision));
            Assert.True(offset == ex.Offset, $"{name}: offset {ex.Offset}: {ex.Message}");
        }
    }

    [Theory]
    [InlineData("120:0{", true)]
    [InlineData("1:6", true)]
    [InlineData("0{\"sid\"", false)]
    [InlineData("0:", true)]
    [InlineData("12", false)]
    [InlineData("", false)]
    public void LooksLikeV3_RecognisesTheLengthPrefix(string body, bool expected) =>
        Assert.Equal(expected, EnginePayloadReader.LooksLikeV3(Encoding.UTF8.GetBytes(body)));

    internal static List<string> ReadAll(ReadOnlySequence<byte> sequence, EngineRevision revision)
    {
        var packets = new List<string>();
        var position = sequence.Start;
        while (EnginePayloadReader.TryReadPacket(sequence, revision, ref position, out var packet))
        {
            packets.Add(Encoding.UTF8.GetString(packet.ToArray()));
        }

        Assert.True(sequence.Slice(position).IsEmpty, "the whole payload must be consumed");
        return packets;
    }
}
