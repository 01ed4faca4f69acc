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
/// The smallest inputs for the bugs the fuzzer found (<see cref="KnownBugs"/>), each asserting the documented behaviour.
/// Skipped until src/ is fixed: remove the Skip and the <see cref="KnownBugs"/> entry together.
/// </summary>
public sealed class KnownBugTests
{
    private const string Bug1 = "Known bug 1 (docs/fuzzing.md): Utf8JsonReader.GetString throws InvalidOperationException, not caught";
    private const string Bug2 = "Known bug 2 (docs/fuzzing.md): TimeSpan.FromMilliseconds overflows on a huge pingInterval";

    [Theory(Skip = Bug1)]
    [InlineData("{\"sid\":\"\\uD800\",\"pingInterval\":25000,\"pingTimeout\":60000}")]
    [InlineData("{\"sid\":\"a\xFF\",\"pingInterval\":25000,\"pingTimeout\":60000}")]
    [InlineData("{\"sid\":\"a\",\"x\\uD800\":1,\"pingInterval\":25000,\"pingTimeout\":60000}")]
    public void Handshake_with_an_invalid_string_throws_EngineProtocolException(string json) =>
        Assert.Throws<EngineProtocolException>(() => EngineHandshakeReader.Read(Latin1(json)));

    [Theory(Skip = Bug2)]
    [InlineData("{\"sid\":\"a\",\"pingInterval\":9223372036854775807,\"pingTimeout\":60000}")]
    [InlineData("{\"sid\":\"a\",\"pingInterval\":25000,\"pingTimeout\":9223372036854775}")]
    public void Handshake_with_a_huge_interval_throws_EngineProtocolException(string json) =>
        Assert.Throws<EngineProtocolException>(() => EngineHandshakeReader.Read(Latin1(json)));

    [Theory(Skip = Bug1)]
    [InlineData("[\"\\uDC00\",1]")]
    [InlineData("[\"\xC3\",1]")]
    public void Event_name_that_is_not_a_valid_string_throws_SocketIoProtocolException(string json) =>
        Assert.Throws<SocketIoProtocolException>(() => SocketIoJsonArray.ReadEventName(Latin1(json)));

    [Theory(Skip = Bug1)]
    [InlineData("[{\"headers\":{\"\\uD800\":\"x\"},\"statusCode\":200}]")]
    [InlineData("[{\"headers\":{\"a\":\"\xFF\"},\"statusCode\":200}]")]
    [InlineData("[{\"code\":\"\\uD800\"}]")]
    public void Jwr_with_an_invalid_string_throws_SailsProtocolException(string json) =>
        Assert.Throws<SailsProtocolException>(() => JwrReader.Read(Latin1(json), []));

    /// <summary>
    /// Through the receive loop the same bug is worse: the loop task faults, OnDisconnected never runs, waiting emits
    /// hang until their deadline, and DisposeAsync rethrows the InvalidOperationException.
    /// </summary>
    [Theory(Skip = Bug1)]
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
