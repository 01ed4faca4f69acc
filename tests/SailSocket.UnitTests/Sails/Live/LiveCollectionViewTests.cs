using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using System.Threading;
using SailSocket.Live;
using SailSocket.Live.Internal;
using Xunit;
using static SailSocket.UnitTests.Sails.Live.LiveTestRecords;

namespace SailSocket.UnitTests.Sails.Live;

/// <summary>The binding view changes only on its context, one event per change, each matching the list it reads.</summary>
public sealed class LiveCollectionViewTests
{
    [Fact]
    public void Changes_arrive_on_the_context_as_single_events_that_match_the_list()
    {
        var context = new QueueContext();
        var state = State(new LiveQuery("pet") { Sort = "name ASC" });
        var pending = new List<PendingChange<LivePet>>();
        state.Replace([Pet(1, "b"), Pet(2, "d")], pending);
        var view = new LiveCollectionView<LivePet>(context, state.Commit(pending), _ => { });
        var seen = new List<string>();
        view.CollectionChanged += (_, e) =>
        {
            Assert.Same(context, SynchronizationContext.Current);
            seen.Add($"{e.Action}:{e.NewStartingIndex}:{e.OldStartingIndex}:{string.Join(",", view.Select(p => p.Name))}");
        };

        pending.Clear();
        state.Apply(Created(Pet(3, "a")), pending);
        state.Apply(Updated(2, """{"name":"c"}""", Pet(2, "d")), pending);
        state.Apply(Updated(1, """{"name":"e"}""", Pet(1, "b")), pending);
        var snapshot = state.Commit(pending);
        view.Post(snapshot, pending.Select(p => new LiveChange<LivePet>(p.Kind, p.Key, p.OldItem, p.NewItem, snapshot)).ToList());

        Assert.Empty(seen); // nothing before the context runs
        Assert.Equal(["b", "d"], view.Select(p => p.Name));
        context.RunAll();

        Assert.Equal(
            [
                "Add:0:-1:a,b,d",
                "Replace:2:2:a,b,c",
                "Move:1:2:a,c,b",
                "Replace:2:2:a,c,e",
            ],
            seen);
        Assert.Equal(["a", "c", "e"], view.Select(p => p.Name));
    }

    [Fact]
    public void Batches_that_pile_up_before_the_context_runs_show_as_one_reset()
    {
        var context = new QueueContext();
        var state = State(new LiveQuery("pet"));
        var pending = new List<PendingChange<LivePet>>();
        var view = new LiveCollectionView<LivePet>(context, state.Snapshot, _ => { });
        var actions = new List<NotifyCollectionChangedAction>();
        view.CollectionChanged += (_, e) => actions.Add(e.Action);
        for (var i = 1; i <= 3; i++)
        {
            pending.Clear();
            state.Apply(Created(Pet(i, "p" + i)), pending);
            var snapshot = state.Commit(pending);
            view.Post(snapshot, pending.Select(p => new LiveChange<LivePet>(p.Kind, p.Key, p.OldItem, p.NewItem, snapshot)).ToList());
        }

        Assert.Equal(1, context.Count); // one callback posted, however many batches
        context.RunAll();
        Assert.Equal([NotifyCollectionChangedAction.Reset], actions);
        Assert.Equal(3, view.Count);

        view.Dispose();
        pending.Clear();
        state.Apply(Created(Pet(9, "late")), pending);
        var last = state.Commit(pending);
        view.Post(last, []);
        context.RunAll();
        Assert.Equal(3, view.Count);
    }

    /// <summary>A context that runs its callbacks only when the test says so, on the test's thread.</summary>
    private sealed class QueueContext : SynchronizationContext
    {
        private readonly ConcurrentQueue<(SendOrPostCallback, object?)> _queue = new();

        public int Count => _queue.Count;

        public override void Post(SendOrPostCallback d, object? state) => _queue.Enqueue((d, state));

        public void RunAll()
        {
            var previous = Current;
            SetSynchronizationContext(this);
            try
            {
                while (_queue.TryDequeue(out var item))
                {
                    item.Item1(item.Item2);
                }
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }
    }
}
