using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// The socket's event router over a scripted server: handlers run one at a time in arrival order, a throwing handler is
/// reported and does not stop later events, and while a handler is blocked the count and byte bounds drop (and count)
/// arriving events instead of holding up the receive loop.
/// </summary>
/// <remarks>
/// "The receive loop has read everything pushed so far" is established by answering a request after the pushes: the
/// loop reads in order, so the response arrives after every event before it was handed to the router.
/// </remarks>
public sealed class EventRouterTests
{
    [Fact]
    public async Task Handlers_RunInArrivalOrder_NamedBeforeCatchAll()
    {
        await using var h = new SailsHarness();
        var (socket, peer) = await h.ConnectAsync();
        var seen = Channel.CreateUnbounded<string>();
        socket.On("tick", e => seen.Writer.TryWrite($"tick {N(e)}"));
        socket.On("tock", e => seen.Writer.TryWrite($"tock {N(e)}"));
        socket.OnAny(e => seen.Writer.TryWrite($"any {e.Name} {N(e)}"));

        for (var i = 0; i < 20; i++)
        {
            await peer.EmitAsync(i % 2 == 0 ? "tick" : "tock", $"{{\"n\":{i}}}");
        }

        var expected = Enumerable.Range(0, 20).SelectMany(i =>
        {
            var name = i % 2 == 0 ? "tick" : "tock";
            return new[] { $"{name} {i}", $"any {name} {i}" };
        });
        var actual = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            actual.Add(await ReadAsync(seen));
        }

        Assert.Equal(expected, actual);
        Assert.Equal(0, socket.DroppedEventCount);
    }

    [Fact]
    public async Task AThrowingHandler_RaisesHandlerException_AndLaterEventsStillRun()
    {
        await using var h = new SailsHarness();
        var (socket, peer) = await h.ConnectAsync();
        var failures = Channel.CreateUnbounded<SailsHandlerExceptionEventArgs>();
        socket.HandlerException += (_, e) => failures.Writer.TryWrite(e);
        var seen = Channel.CreateUnbounded<int>();
        var boom = new InvalidOperationException("boom");
        socket.On("tick", e =>
        {
            if (N(e) == 2)
            {
                throw boom;
            }

            seen.Writer.TryWrite(N(e));
        });
        socket.On("tick", e => seen.Writer.TryWrite(100 + N(e)));

        for (var i = 1; i <= 3; i++)
        {
            await peer.EmitAsync("tick", $"{{\"n\":{i}}}");
        }

        // The other handler of the same event ran too, and the next event was handled.
        Assert.Equal(new[] { 1, 101, 102, 3, 103 }, await ReadManyAsync(seen, 5));
        var failure = await ReadAsync(failures);
        Assert.Same(boom, failure.Exception);
        Assert.Equal("tick", failure.Event.Name);
        Assert.Equal(2, N(failure.Event));
        Assert.False(failures.Reader.TryRead(out _));
    }

    [Fact]
    public async Task MaxPendingEvents_WhileAHandlerIsBlocked_DropsAndCountsTheExcess()
    {
        await using var h = new SailsHarness(maxPendingEvents: 2);
        var (socket, peer) = await h.ConnectAsync();
        using var blocked = new BlockedHandler();
        var seen = Channel.CreateUnbounded<int>();
        socket.On("tick", e =>
        {
            seen.Writer.TryWrite(N(e));
            if (N(e) == 1)
            {
                blocked.Block();
            }
        });

        await peer.EmitAsync("tick", "{\"n\":1}");
        await blocked.Entered.WaitAsync(TestTimeouts.Default);
        await PushThenSyncAsync(socket, peer, Enumerable.Range(2, 4).Select(i => ("tick", $"{{\"n\":{i}}}")));

        // 2 and 3 wait (the bound), 4 and 5 are dropped; the blocked one is not pending any more.
        Assert.Equal(2, socket.DroppedEventCount);
        blocked.Release();
        Assert.Equal(new[] { 1, 2, 3 }, await ReadManyAsync(seen, 3));

        // Once the handlers have caught up, events are delivered again.
        await peer.EmitAsync("tick", "{\"n\":6}");
        Assert.Equal(6, await ReadAsync(seen));
        Assert.Equal(2, socket.DroppedEventCount);
    }

    [Fact]
    public async Task MaxPendingEventBytes_WhileAHandlerIsBlocked_DropsWhatDoesNotFit()
    {
        await using var h = new SailsHarness(maxPendingEventBytes: 1024);
        var (socket, peer) = await h.ConnectAsync();
        using var blocked = new BlockedHandler();
        var seen = Channel.CreateUnbounded<int>();
        socket.On("tick", e =>
        {
            seen.Writer.TryWrite(N(e));
            if (N(e) == 1)
            {
                blocked.Block();
            }
        });
        var pad = new string('x', 700);

        await peer.EmitAsync("tick", "{\"n\":1}");
        await blocked.Entered.WaitAsync(TestTimeouts.Default);

        // 2 (about 700 bytes) fits; 3 would pass 1024 pending bytes and is dropped; 4 (7 bytes) still fits.
        await PushThenSyncAsync(socket, peer, [("tick", $"{{\"n\":2,\"pad\":\"{pad}\"}}"), ("tick", $"{{\"n\":3,\"pad\":\"{pad}\"}}"), ("tick", "{\"n\":4}")]);

        Assert.Equal(1, socket.DroppedEventCount);
        blocked.Release();
        Assert.Equal(new[] { 1, 2, 4 }, await ReadManyAsync(seen, 3));

        // The bytes of handled events are released: two large ones fit again, one after the other.
        await peer.EmitAsync("tick", $"{{\"n\":5,\"pad\":\"{pad}\"}}");
        Assert.Equal(5, await ReadAsync(seen));
        await peer.EmitAsync("tick", $"{{\"n\":6,\"pad\":\"{pad}\"}}");
        Assert.Equal(6, await ReadAsync(seen));
        Assert.Equal(1, socket.DroppedEventCount);
    }

    [Fact]
    public async Task EventsNobodyListensTo_AreNeitherQueuedNorCounted()
    {
        await using var h = new SailsHarness(maxPendingEvents: 1);
        var (socket, peer) = await h.ConnectAsync();

        await PushThenSyncAsync(socket, peer, Enumerable.Range(0, 5).Select(i => ("unheard", "{}")));

        Assert.Equal(0, socket.DroppedEventCount);
    }

    [Fact]
    public async Task Off_StopsDelivery_AndADisposedRegistrationIsRemovedOnce()
    {
        await using var h = new SailsHarness();
        var (socket, peer) = await h.ConnectAsync();
        var seen = Channel.CreateUnbounded<string>();
        var first = socket.On("tick", e => seen.Writer.TryWrite($"first {N(e)}"));
        socket.On("tick", e => seen.Writer.TryWrite($"second {N(e)}"));

        await peer.EmitAsync("tick", "{\"n\":1}");
        Assert.Equal("first 1", await ReadAsync(seen));
        Assert.Equal("second 1", await ReadAsync(seen));
        first.Dispose();
        first.Dispose();
        await peer.EmitAsync("tick", "{\"n\":2}");
        Assert.Equal("second 2", await ReadAsync(seen));
        Assert.True(socket.Off("tick"));
        socket.OnAny(e => seen.Writer.TryWrite($"any {N(e)}"));
        await peer.EmitAsync("tick", "{\"n\":3}");
        Assert.Equal("any 3", await ReadAsync(seen));
    }

    /// <summary>Pushes events, then answers a request: when the response is in, the receive loop has read every event.</summary>
    internal static async Task PushThenSyncAsync(SailsSocket socket, SailsPeer peer, IEnumerable<(string Name, string Data)> events)
    {
        var sync = socket.GetAsync("/sync").AsTask();
        var request = await peer.ReceiveRequestAsync();
        foreach (var (name, data) in events)
        {
            await peer.EmitAsync(name, data);
        }

        await peer.RespondAsync(request);
        await sync.WaitAsync(TestTimeouts.Default);
    }

    internal static int N(SailsEvent e) => e.ReadDataAsElement().GetProperty("n").GetInt32();

    internal static async Task<T[]> ReadManyAsync<T>(Channel<T> channel, int count)
    {
        var items = new T[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = await ReadAsync(channel);
        }

        return items;
    }

    internal static async Task<T> ReadAsync<T>(Channel<T> channel)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        return await channel.Reader.ReadAsync(cts.Token);
    }

    /// <summary>
    /// Holds the dispatcher inside a handler until released: bounded, so a failing test cannot hang, and generously, since
    /// the test's pushes must all arrive while it holds (disposal releases it at once).
    /// </summary>
    private sealed class BlockedHandler : IDisposable
    {
        private static readonly TimeSpan MaxBlock = TimeSpan.FromSeconds(30);

        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _release = new();

        public Task Entered => _entered.Task;

        public void Block()
        {
            _entered.TrySetResult();
            _release.Wait(MaxBlock);
        }

        public void Release() => _release.Set();

        /// <summary>Releases a handler still blocked; the event itself is left to the finalizer, as a handler may still be leaving its wait.</summary>
        public void Dispose() => _release.Set();
    }
}
