using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <summary>
/// <see cref="SocketIoClient"/> against a scripted EIO4 / Socket.IO 5 server over an in-memory WebSocket.
/// Every await is bounded by <see cref="TestTimeouts.Default"/>.
/// </summary>
public sealed partial class SocketIoClientTests : IAsyncLifetime
{
    private readonly WebSocketPeer _peer = new();
    private readonly Channel<ReceivedEvent> _events = Channel.CreateUnbounded<ReceivedEvent>();
    private readonly TaskCompletionSource<SocketIoDisconnectedException> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disconnectedCalls;
    private SocketIoClient? _client;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }

        await _peer.DisposeAsync();
    }

    /// <summary>What <see cref="SocketIoOptions.OnEvent"/> saw, copied off the receive buffer during the callback.</summary>
    private sealed record ReceivedEvent(string Name, string Arguments, string FirstArgument, long AckId, byte[][] Attachments);

    private SocketIoOptions CreateOptions(TimerSettings? timer = null, TimeSpan? connectTimeout = null, ReadOnlyMemory<byte> auth = default) => new()
    {
        Engine = _peer.CreateOptions(),
        TimerResolution = timer?.Resolution ?? SocketIoConnectionOptions.DefaultTimerResolution,
        Auth = auth,
        ConnectTimeout = connectTimeout ?? TestTimeouts.Default,
        OnEvent = (in SocketIoEvent e) => _events.Writer.TryWrite(new ReceivedEvent(
            e.Name,
            Utf8(e.Arguments),
            Utf8(e.GetArgument(0)),
            e.AckId,
            e.Attachments.Select(a => a.ToArray()).ToArray())),
        OnDisconnected = ex =>
        {
            Interlocked.Increment(ref _disconnectedCalls);
            _disconnected.TrySetResult(ex);
        },
    };

    /// <summary>Options whose connect bounds read a manual clock: the Socket.IO bound, and the Engine.IO one (default 5 s).</summary>
    private SocketIoOptions TimedOptions(ManualTimeProvider clock, TimeSpan connectTimeout, TimeSpan? engineConnectTimeout = null) => new()
    {
        Engine = _peer.CreateOptions(engineConnectTimeout, timer: new TimerSettings(TimeSpan.FromMilliseconds(100), clock)),
        ConnectTimeout = connectTimeout,
    };

    /// <summary>Plays the server side of a connect (open packet, expect <c>40</c>, answer <c>40{"sid":"abc"}</c>) and connects.</summary>
    private async Task<SocketIoClient> ConnectAsync(SocketIoOptions? options = null, string openPacket = "", string sid = "abc")
    {
        await _peer.SendTextAsync(openPacket.Length > 0 ? openPacket : WebSocketPeer.OpenPacket());
        var connecting = SocketIoClient.ConnectAsync(options ?? CreateOptions());
        Assert.Equal("40", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync($"40{{\"sid\":\"{sid}\"}}");
        _client = await connecting.WaitAsync(TestTimeouts.Default);
        return _client;
    }

    private async Task<ReceivedEvent> NextEventAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        return await _events.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Waits for OnDisconnected, then gives a duplicate call a moment to show up.</summary>
    private async Task<SocketIoDisconnectedException> DisconnectedAsync()
    {
        var reason = await _disconnected.Task.WaitAsync(TestTimeouts.Default);

        // A quiet period, not a barrier: nothing follows the disconnect that a duplicate call would have to precede.
        await Task.Delay(TestTimeouts.Quiet);
        Assert.Equal(1, Volatile.Read(ref _disconnectedCalls));
        return reason;
    }

    /// <summary>Emits <c>["get",{"url":url}]</c> with an ack.</summary>
    private static Task<SocketIoAck> GetAsync(SocketIoClient client, string url, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        client.EmitWithAckAsync("get", url, WriteUrl, null, timeout ?? TestTimeouts.Default, cancellationToken).AsTask();

    private static void WriteUrl(Utf8JsonWriter writer, string url)
    {
        writer.WriteStartObject();
        writer.WriteString("url", url);
        writer.WriteEndObject();
    }

    private static string Utf8(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>Splits a client packet <c>42&lt;id&gt;[…]</c> into its ack id and JSON.</summary>
    private static (long AckId, string Json) SplitEmit(string text)
    {
        Assert.StartsWith("42", text, StringComparison.Ordinal);
        var bracket = text.IndexOf('[', StringComparison.Ordinal);
        return (long.Parse(text[2..bracket], System.Globalization.CultureInfo.InvariantCulture), text[bracket..]);
    }

    private static IEnumerable<int> Range(int count) => Enumerable.Range(0, count);
}
