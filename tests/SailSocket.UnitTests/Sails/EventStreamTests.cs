using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.UnitTests.Infrastructure;
using Xunit;
using static SailSocket.UnitTests.Sails.EventRouterTests;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// <see cref="SailsSocket.ReadEventsAsync"/>: registered when called, bounded by its capacity and the byte bound (oldest
/// dropped, counted), ended by its token or the socket's disposal.
/// </summary>
/// <remarks>
/// The stream's handler runs on the dispatcher; a catch-all handler (which runs after the named ones) tells the test when
/// the stream has been offered every event pushed.
/// </remarks>
public sealed class EventStreamTests
{
    [Fact]
    public async Task Capacity_DropsTheOldest_AndCountsThem()
    {
        await using var h = new SailsHarness();
        var (socket, peer) = await h.ConnectAsync();
        var stream = socket.ReadEventsAsync("tick", capacity: 2);
        var offered = OfferedCounter(socket, 5);

        for (var i = 1; i <= 5; i++)
        {
            await peer.EmitAsync("tick", $"{{\"n\":{i}}}");
        }

        await offered.WaitAsync(TestTimeouts.Default);
        Assert.Equal(3, socket.DroppedEventCount);
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        await using var reader = stream.GetAsyncEnumerator(cts.Token);
        Assert.Equal(new[] { 4, 5 }, await TakeAsync(reader, 2));
    }

    [Fact]
    public async Task RegisteredAtCall_EventsBeforeTheFirstMoveNext_AreKept_InOrder()
    {
        await using var h = new SailsHarness();
        var (socket, peer) = await h.ConnectAsync();
        var stream = socket.ReadEventsAsync("tick");
        var offered = OfferedCounter(socket, 3);

        for (var i = 1; i <= 3; i++)
        {
            await peer.EmitAsync("tick", $"{{\"n\":{i}}}");
        }

        await offered.WaitAsync(TestTimeouts.Default);
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        await using var reader = stream.GetAsyncEnumerator(cts.Token);
        Assert.Equal(new[] { 1, 2, 3 }, await TakeAsync(reader, 3));

        // And what arrives while the consumer waits.
        var next = reader.MoveNextAsync().AsTask();
        await peer.EmitAsync("tick", "{\"n\":4}");
        Assert.True(await next.WaitAsync(TestTimeouts.Default));
        Assert.Equal(4, N(reader.Current));
        Assert.Equal(0, socket.DroppedEventCount);
    }

    [Fact]
    public async Task ByteBound_DropsTheOldestToMakeRoom()
    {
        await using var h = new SailsHarness(maxPendingEventBytes: 1024);
        var (socket, peer) = await h.ConnectAsync();
        var stream = socket.ReadEventsAsync("tick", capacity: 100);
        var offered = System.Threading.Channels.Channel.CreateUnbounded<int>();
        socket.OnAny(e => offered.Writer.TryWrite(N(e)));
        var pad = new string('x', 400);

        // About 420 bytes each: the third does not fit beside the first two, so the first goes. One at a time, so that
        // the router's own byte bound (the same option) never sees more than one of them waiting.
        for (var i = 1; i <= 3; i++)
        {
            await peer.EmitAsync("tick", $"{{\"n\":{i},\"pad\":\"{pad}\"}}");
            Assert.Equal(i, await ReadAsync(offered));
        }

        Assert.Equal(1, socket.DroppedEventCount);
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        await using var reader = stream.GetAsyncEnumerator(cts.Token);
        Assert.Equal(new[] { 2, 3 }, await TakeAsync(reader, 2));
    }

    [Fact]
    public async Task Cancellation_EndsTheStream_EvenNeverEnumerated_AndFreesItsHandlerSlot()
    {
        await using var h = new SailsHarness();
        var (socket, _) = await h.ConnectAsync();
        using var cts = new CancellationTokenSource();
        _ = socket.ReadEventsAsync("tick", cancellationToken: cts.Token);

        await cts.CancelAsync();

        // Its handler is gone: "tick" has none left to remove.
        Assert.False(socket.Off("tick"));
    }

    [Fact]
    public async Task SocketDisposed_EndsTheStream_AfterWhatItHolds()
    {
        await using var h = new SailsHarness();
        var (socket, peer) = await h.ConnectAsync();
        var stream = socket.ReadEventsAsync("tick");
        var offered = OfferedCounter(socket, 1);
        await peer.EmitAsync("tick", "{\"n\":1}");
        await offered.WaitAsync(TestTimeouts.Default);

        await socket.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);

        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        await using var reader = stream.GetAsyncEnumerator(cts.Token);
        Assert.Equal(new[] { 1 }, await TakeAsync(reader, 1));
        Assert.False(await reader.MoveNextAsync().AsTask().WaitAsync(TestTimeouts.Default));

        // A stream asked for after disposal is empty.
        await using var late = socket.ReadEventsAsync("tick").GetAsyncEnumerator(cts.Token);
        Assert.False(await late.MoveNextAsync().AsTask().WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task EnumeratedTwice_Throws()
    {
        await using var h = new SailsHarness(autoConnect: false);
        var socket = h.Client.CreateSocket();
        using var cts = new CancellationTokenSource();
        var stream = socket.ReadEventsAsync("tick", cancellationToken: cts.Token);

        await using var first = stream.GetAsyncEnumerator();
        Assert.Throws<InvalidOperationException>(() => stream.GetAsyncEnumerator());
        Assert.Throws<ArgumentOutOfRangeException>(() => socket.ReadEventsAsync("tick", capacity: 0));
        Assert.Throws<ArgumentException>(() => socket.ReadEventsAsync("disconnect"));
        await cts.CancelAsync();
    }

    /// <summary>Completes when a catch-all handler has seen <paramref name="count"/> events (after the named handlers ran).</summary>
    private static Task OfferedCounter(SailsSocket socket, int count)
    {
        var seen = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.OnAny(_ =>
        {
            if (Interlocked.Increment(ref seen) == count)
            {
                done.TrySetResult();
            }
        });
        return done.Task;
    }

    private static async Task<int[]> TakeAsync(IAsyncEnumerator<SailsEvent> reader, int count)
    {
        var items = new List<int>();
        for (var i = 0; i < count; i++)
        {
            Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(TestTimeouts.Default));
            items.Add(N(reader.Current));
        }

        return [.. items];
    }
}
