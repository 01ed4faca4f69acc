using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Live;
using SailSocket.Live.Internal;
using Xunit;

namespace SailSocket.UnitTests.Sails.Live;

/// <summary>A change stream is bounded: a slow reader gets a reset with the snapshot, never an unbounded queue.</summary>
public sealed class ChangeStreamTests
{
    private static readonly LiveSnapshot<LivePet> s_snapshot = new(ImmutableList<LiveEntry<LivePet>>.Empty, 7);

    [Fact]
    public async Task A_reader_that_falls_behind_gets_one_reset_then_what_follows()
    {
        var unregistered = 0;
        var stream = new ChangeStream<LivePet>(4, _ => unregistered++, CancellationToken.None);
        for (var i = 0; i < 1000; i++)
        {
            stream.Write([Change(i)], s_snapshot);
        }

        var read = new List<LiveChange<LivePet>>();
        await using (var reader = stream.GetAsyncEnumerator())
        {
            // 1000 writes into 4 places: the queue never held more than 4, and a reset stands for what was dropped.
            var queued = new List<LiveChange<LivePet>>();
            for (var i = 0; i < 4 && await reader.MoveNextAsync(); i++)
            {
                queued.Add(reader.Current);
                if (reader.Current.Kind == LiveChangeKind.Reset)
                {
                    Assert.Equal(7, reader.Current.Snapshot.Version);
                }
            }

            Assert.Contains(queued, c => c.Kind == LiveChangeKind.Reset);
            Assert.True(stream.ResetCount >= 1000 / 5);

            // Once caught up, the reader gets every change again, exactly.
            stream.Write([Change(1000), Change(1001)], s_snapshot);
            stream.Complete();
            while (await reader.MoveNextAsync())
            {
                read.Add(reader.Current);
            }
        }

        Assert.Equal(["1000", "1001"], read.ConvertAll(c => c.Key));
        Assert.Equal(1, unregistered);
    }

    [Fact]
    public async Task Cancelling_ends_the_stream_and_unregisters_it_even_unread()
    {
        var unregistered = 0;
        using var cts = new CancellationTokenSource();
        var stream = new ChangeStream<LivePet>(4, _ => Interlocked.Increment(ref unregistered), cts.Token);
        cts.Cancel();
        Assert.Equal(1, Volatile.Read(ref unregistered));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var unused in stream)
            {
            }
        });
    }

    private static LiveChange<LivePet> Change(int id) =>
        new(LiveChangeKind.Added, id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, new LivePet(id, "p"), s_snapshot);
}
