using System;
using System.Text;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>The open packet's JSON (protocol.md §2.3): parsed by name, in any order, unknown fields skipped.</summary>
public sealed class EngineHandshakeReaderTests
{
    public static TheoryData<string, string, string[], int, int, long> CapturedOpenPackets => new()
    {
        // EIO4 over polling.
        {
            """{"sid":"MNQeYTmC5hM-mxNWAAAB","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":60000,"maxPayload":100000000}""",
            "MNQeYTmC5hM-mxNWAAAB", ["websocket"], 25000, 60000, 100000000
        },

        // EIO3 over polling (same fields; the "120:" length prefix is the polling codec's business).
        {
            """{"sid":"oicoBpbWfsele-o9AAAB","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":60000,"maxPayload":100000000}""",
            "oicoBpbWfsele-o9AAAB", ["websocket"], 25000, 60000, 100000000
        },

        // WebSocket-only: no upgrades.
        {
            """{"sid":"9hjQ4YQqeghwobezAAAA","upgrades":[],"pingInterval":25000,"pingTimeout":60000,"maxPayload":100000000}""",
            "9hjQ4YQqeghwobezAAAA", [], 25000, 60000, 100000000
        },

        // The short-heartbeat probe server.
        {
            """{"sid":"OZHYK8gTW-cT96K0AAAB","upgrades":["websocket"],"pingInterval":2000,"pingTimeout":1500,"maxPayload":4000}""",
            "OZHYK8gTW-cT96K0AAAB", ["websocket"], 2000, 1500, 4000
        },
    };

    [Theory]
    [MemberData(nameof(CapturedOpenPackets))]
    public void Read_CapturedOpenPacket_ReturnsEveryField(string json, string sid, string[] upgrades, int pingInterval, int pingTimeout, long maxPayload)
    {
        var handshake = EngineHandshakeReader.Read(Encoding.UTF8.GetBytes(json));

        Assert.Equal(sid, handshake.SessionId);
        Assert.Equal(upgrades, handshake.Upgrades);
        Assert.Equal(TimeSpan.FromMilliseconds(pingInterval), handshake.PingInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(pingTimeout), handshake.PingTimeout);
        Assert.Equal(maxPayload, handshake.MaxPayload);
    }

    [Fact]
    public void Read_FieldsInAnotherOrder_ReturnsSameHandshake()
    {
        var handshake = EngineHandshakeReader.Read(
            """{"maxPayload":4000,"pingTimeout":1500,"upgrades":["websocket"],"pingInterval":2000,"sid":"OZHYK8gTW-cT96K0AAAB"}"""u8);

        Assert.Equal("OZHYK8gTW-cT96K0AAAB", handshake.SessionId);
        Assert.Equal(new[] { "websocket" }, handshake.Upgrades);
        Assert.Equal(TimeSpan.FromMilliseconds(2000), handshake.PingInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), handshake.PingTimeout);
        Assert.Equal(4000, handshake.MaxPayload);
    }

    [Fact]
    public void Read_UnknownFieldsOfEveryShape_AreSkipped()
    {
        var handshake = EngineHandshakeReader.Read(
            """
            {"future":{"nested":[1,{"a":null}]},"sid":"abc","flag":true,"list":["x","y"],"pingInterval":10,
             "text":"pingTimeout","pingTimeout":20,"n":-1.5e3,"none":null}
            """u8);

        Assert.Equal("abc", handshake.SessionId);
        Assert.Empty(handshake.Upgrades);
        Assert.Equal(TimeSpan.FromMilliseconds(10), handshake.PingInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(20), handshake.PingTimeout);
    }

    [Fact]
    public void Read_NoMaxPayload_ReturnsZero()
    {
        var handshake = EngineHandshakeReader.Read("""{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"""u8);

        Assert.Equal(0, handshake.MaxPayload);
    }

    [Fact]
    public void Read_EscapedPropertyNameAndValue_AreUnescaped()
    {
        // "s\u0069d" is "sid": names are compared after unescaping (ValueTextEquals).
        var handshake = EngineHandshakeReader.Read("""{"s\u0069d":"a\/b","upgrades":[],"pingInterval":1,"pingTimeout":2}"""u8);

        Assert.Equal("a/b", handshake.SessionId);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "missing sid", """{"upgrades":[],"pingInterval":25000,"pingTimeout":60000,"maxPayload":100000000}""" },
        { "empty sid", """{"sid":"","upgrades":[],"pingInterval":25000,"pingTimeout":60000}""" },
        { "sid not a string", """{"sid":42,"upgrades":[],"pingInterval":25000,"pingTimeout":60000}""" },
        { "missing pingInterval", """{"sid":"abc","upgrades":[],"pingTimeout":60000}""" },
        { "missing pingTimeout", """{"sid":"abc","upgrades":[],"pingInterval":25000}""" },
        { "pingInterval as string", """{"sid":"abc","pingInterval":"25000","pingTimeout":60000}""" },
        { "pingTimeout negative", """{"sid":"abc","pingInterval":25000,"pingTimeout":-1}""" },
        { "pingInterval zero", """{"sid":"abc","pingInterval":0,"pingTimeout":60000}""" },
        { "pingInterval fractional", """{"sid":"abc","pingInterval":2.5,"pingTimeout":60000}""" },
        { "pingInterval too big for long", """{"sid":"abc","pingInterval":99999999999999999999,"pingTimeout":60000}""" },
        { "maxPayload null", """{"sid":"abc","pingInterval":25000,"pingTimeout":60000,"maxPayload":null}""" },
        { "maxPayload negative", """{"sid":"abc","pingInterval":25000,"pingTimeout":60000,"maxPayload":-5}""" },
        { "array instead of object", """["sid","abc"]""" },
        { "string instead of object", "\"sid\"" },
        { "not JSON", "hello" },
        { "empty", "" },
        { "truncated", """{"sid":"abc","pingInterval":25000,"pingTi""" },
        { "unterminated object", """{"sid":"abc","pingInterval":25000,"pingTimeout":60000""" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Read_Malformed_ThrowsEngineProtocolException(string because, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        var ex = Assert.Throws<EngineProtocolException>(() => EngineHandshakeReader.Read(bytes));

        // Offsets count from the start of the packet: the type digit '0' is byte 0, the JSON starts at 1.
        Assert.InRange(ex.Offset, 0, bytes.Length + 1);
        Assert.False(string.IsNullOrEmpty(ex.Message), because);
    }

    [Fact]
    public void Read_BadNumber_OffsetPointsAtTheValue()
    {
        const string Json = """{"sid":"abc","pingInterval":"x","pingTimeout":1}""";

        var ex = Assert.Throws<EngineProtocolException>(() => EngineHandshakeReader.Read(Encoding.UTF8.GetBytes(Json)));

        // +1 for the '0' type digit before the JSON.
        Assert.Equal(1 + Json.IndexOf("\"x\"", StringComparison.Ordinal), ex.Offset);
    }

    [Fact]
    public void Read_InvalidJson_WrapsTheJsonException()
    {
        var ex = Assert.Throws<EngineProtocolException>(() => EngineHandshakeReader.Read("{\"sid\":}"u8));

        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
    }

    /// <summary>
    /// Regression test for a bug found and fixed (src/Engine/Protocol/EngineHandshakeReader.cs, the "upgrades" branch): the element loop stops at the
    /// first non-string element without consuming the rest of the array, so the outer property loop then reads a token
    /// that is not a property name (here the array's ']') and ends. Every field after "upgrades" is silently dropped;
    /// here that makes a valid handshake fail, and if the required fields came first, trailing ones are ignored.
    /// The captured server never sends a non-string upgrade, but "match by name, skip what is unknown" should hold.
    /// </summary>
    [Fact]
    public void Read_UpgradesWithNonStringElement_StillReadsLaterFields()
    {
        var handshake = EngineHandshakeReader.Read("""{"sid":"abc","upgrades":["websocket",1],"pingInterval":10,"pingTimeout":20}"""u8);

        Assert.Equal(TimeSpan.FromMilliseconds(10), handshake.PingInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(20), handshake.PingTimeout);
        Assert.Equal(new[] { "websocket" }, handshake.Upgrades);
    }
}
