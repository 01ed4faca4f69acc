using System.Text;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.Protocol;
using SailSocket.SocketIo;
using SailSocket.SocketIo.Protocol;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Fuzz;

/// <summary>
/// The smallest inputs for the bugs the fuzzer found, each asserting the documented behaviour: regression tests now that
/// both are fixed (docs/fuzzing.md).
/// </summary>
public sealed class KnownBugTests
{
    [Theory]
    [InlineData("{\"sid\":\"\\uD800\",\"pingInterval\":25000,\"pingTimeout\":60000}")]
    [InlineData("{\"sid\":\"a\xFF\",\"pingInterval\":25000,\"pingTimeout\":60000}")]
    public void Handshake_with_an_invalid_string_throws_EngineProtocolException(string json) =>
        Assert.Throws<EngineProtocolException>(() => EngineHandshakeReader.Read(Latin1(json)));

    /// <summary>An unknown property whose name holds a lone surrogate is skipped like any unknown property, or refused as
    /// a protocol error where the reader has to compare it; never another exception.</summary>
    [Theory]
    [InlineData("{\"sid\":\"a\",\"x\\uD800\":1,\"pingInterval\":25000,\"pingTimeout\":60000}")]
    [InlineData("{\"sid\":\"a\",\"pingInterv\\uD800\":2000,\"pingInterval\":25000,\"pingTimeout\":60000}")]
    public void Handshake_with_an_invalid_property_name_is_skipped_or_refused(string json)
    {
        try
        {
            Assert.Equal("a", EngineHandshakeReader.Read(Latin1(json)).SessionId);
        }
        catch (EngineProtocolException)
        {
        }
    }

    [Theory]
    [InlineData("{\"sid\":\"a\",\"pingInterval\":9223372036854775807,\"pingTimeout\":60000}")]
    [InlineData("{\"sid\":\"a\",\"pingInterval\":25000,\"pingTimeout\":9223372036854775}")]
    public void Handshake_with_a_huge_interval_throws_EngineProtocolException(string json) =>
        Assert.Throws<EngineProtocolException>(() => EngineHandshakeReader.Read(Latin1(json)));

    [Theory]
    [InlineData("[\"\\uDC00\",1]")]
    [InlineData("[\"\xC3\",1]")]
    public void Event_name_that_is_not_a_valid_string_throws_SocketIoProtocolException(string json) =>
        Assert.Throws<SocketIoProtocolException>(() => SocketIoJsonArray.ReadEventName(Latin1(json)));

    [Theory]
    [InlineData("[{\"headers\":{\"\\uD800\":\"x\"},\"statusCode\":200}]")]
    [InlineData("[{\"headers\":{\"a\":\"\xFF\"},\"statusCode\":200}]")]
    [InlineData("[{\"code\":\"\\uD800\"}]")]
    public void Jwr_with_an_invalid_string_throws_SailsProtocolException(string json) =>
        Assert.Throws<SailsProtocolException>(() => JwrReader.Read(Latin1(json), []));

    /// <summary>
    /// Through the receive loop the same bug is worse: the loop task faults, OnDisconnected never runs, waiting emits
    /// hang until their deadline, and DisposeAsync rethrows the InvalidOperationException.
    /// </summary>
    [Theory]
    [InlineData("42[\"\\uD800\",1]")]
    [InlineData("40{\"sid\":\"\\uD800\"}")]
    public async Task Receive_loop_ends_with_a_protocol_error_on_an_invalid_string(string frame)
    {
        await using var peer = new WebSocketPeer();
        var disconnected = new TaskCompletionSource<SocketIoDisconnectedException>(TaskCreationOptions.RunContinuationsAsynchronously);
        await peer.SendOpenAsync();
        var connecting = SocketIoClient.ConnectAsync(new SocketIoOptions { Engine = peer.CreateOptions(), OnDisconnected = ex => disconnected.TrySetResult(ex) });
        Assert.Equal("40", await peer.ReceiveTextAsync());
        await peer.SendTextAsync("40{\"sid\":\"a\"}");
        var client = await connecting.WaitAsync(TestTimeouts.Default);

        await peer.SendTextAsync(frame);

        var reason = await disconnected.Task.WaitAsync(TestTimeouts.Default);
        Assert.Equal(SocketIoDisconnectReason.ProtocolError, reason.Reason);
        await client.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
    }

    /// <summary>Each char of the literal as one byte, so that "\xFF" in a test case is the raw (invalid UTF-8) byte 0xFF.</summary>
    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
