using System.Collections.Generic;
using System.Linq;
using SailSocket.Live;
using SailSocket.Live.Internal;
using Xunit;
using static SailSocket.UnitTests.Sails.Live.LiveTestRecords;

namespace SailSocket.UnitTests.Sails.Live;

/// <summary>Messages applied where the client can decide, a refetch asked for where it cannot, and exact reconciliation.</summary>
public sealed class LiveStateTests
{
    [Fact]
    public void Created_updated_destroyed_keep_an_unfiltered_sorted_collection()
    {
        var state = State(new LiveQuery("pet") { Sort = "name ASC" });
        var changes = new List<PendingChange<LivePet>>();
        state.Replace([Pet(1, "bob"), Pet(2, "dan")], changes);
        state.Commit(changes);
        Assert.Equal(2, changes.Count);

        changes.Clear();
        Assert.False(state.Apply(Created(Pet(3, "cat")), changes));
        Assert.False(state.Apply(Updated(1, """{"name":"eve","id":1}""", Pet(1, "bob")), changes));
        var snapshot = state.Commit(changes);
        Assert.Equal(["cat", "dan", "eve"], Names(snapshot));
        Assert.Equal([LiveChangeKind.Added, LiveChangeKind.Updated], changes.Select(c => c.Kind));
        Assert.Equal("bob", changes[1].OldItem!.Name);
        Assert.Equal("eve", changes[1].NewItem!.Name);

        changes.Clear();
        Assert.False(state.Apply(Destroyed(Pet(2, "dan")), changes));
        Assert.False(state.Apply(Destroyed(Pet(9, "ghost")), changes));
        Assert.Equal(["cat", "eve"], Names(state.Commit(changes)));
        Assert.Equal(("2", LiveChangeKind.Removed), (changes.Single().Key, changes.Single().Kind));
    }

    [Fact]
    public void A_record_enters_and_leaves_a_filter()
    {
        var state = State(new LiveQuery("pet") { Where = Json("""{"species":"cat"}""") });
        var changes = new List<PendingChange<LivePet>>();
        state.Replace([Pet(1, "a", "cat")], changes);
        changes.Clear();

        Assert.False(state.Apply(Created(Pet(2, "b", "dog")), changes));
        Assert.Empty(changes);
        Assert.False(state.Apply(Updated(2, """{"species":"cat"}""", Pet(2, "b", "dog")), changes));
        Assert.Equal(LiveChangeKind.Added, changes.Single().Kind);
        Assert.False(state.Apply(Updated(1, """{"species":"dog"}""", Pet(1, "a", "cat")), changes));
        Assert.Equal(LiveChangeKind.Removed, changes[1].Kind);
        Assert.Equal(["b"], Names(state.Commit(changes)));
        Assert.Equal("cat", state.Snapshot[0].Species);
    }

    [Fact]
    public void A_limit_window_asks_the_server_when_a_message_could_move_it()
    {
        var state = State(new LiveQuery("pet") { Sort = "age ASC", Limit = 2 });
        var changes = new List<PendingChange<LivePet>>();
        state.Replace([Pet(1, "a", age: 1), Pet(2, "b", age: 2)], changes);
        changes.Clear();

        Assert.True(state.Apply(Created(Pet(3, "c", age: 0)), changes));
        Assert.True(state.Apply(Destroyed(Pet(1, "a", age: 1)), changes));
        Assert.True(state.Apply(Updated(2, """{"age":9}""", Pet(2, "b", age: 2)), changes));
        Assert.Empty(changes);

        // In place, same sort values: decided here. Outside the window, still outside: nothing moves.
        Assert.False(state.Apply(Updated(2, """{"name":"b2"}""", Pet(2, "b", age: 2)), changes));
        Assert.False(state.Apply(Destroyed(Pet(7, "z", age: 9)), changes));
        Assert.Equal(LiveChangeKind.Updated, changes.Single().Kind);
    }

    [Fact]
    public void Undecidable_messages_ask_for_a_refetch()
    {
        var state = State(new LiveQuery("pet") { Where = Json("""{"name":{"like":"a%"}}""") });
        var changes = new List<PendingChange<LivePet>>();
        state.Replace([Pet(1, "a")], changes);
        changes.Clear();
        Assert.True(state.Apply(Created(Pet(2, "ab")), changes));

        var populated = State(new LiveQuery("pet"));
        populated.Replace([Json("""{"id":1,"name":"a","owner":{"id":5},"toys":[]}""")], changes);
        changes.Clear();
        Assert.True(populated.Apply(PubSubMessage.Read(Json("""{"verb":"addedTo","id":1,"attribute":"toys","addedId":3}""")), changes));
        Assert.False(populated.Apply(PubSubMessage.Read(Json("""{"verb":"addedTo","id":9,"attribute":"toys","addedId":3}""")), changes));
        Assert.True(populated.Apply(Updated(1, """{"owner":6}""", Json("""{"id":1,"name":"a","owner":{"id":5},"toys":[]}""")), changes));
        Assert.Empty(changes);
    }

    [Fact]
    public void Reconciliation_reports_exactly_the_differences()
    {
        var state = State(new LiveQuery("pet"));
        var changes = new List<PendingChange<LivePet>>();
        state.Replace([Pet(1, "a"), Pet(2, "b"), Pet(3, "c")], changes);
        var before = state.Commit(changes);
        changes.Clear();

        state.Replace([Pet(1, "a"), Pet(3, "c2"), Pet(4, "d")], changes);
        var after = state.Commit(changes);

        Assert.Equal(
            [(LiveChangeKind.Updated, "3"), (LiveChangeKind.Added, "4"), (LiveChangeKind.Removed, "2")],
            changes.Select(c => (c.Kind, c.Key)));
        Assert.Same(before[0], after[0]); // an unchanged record keeps its item
        Assert.Equal(before.Version + 1, after.Version);

        changes.Clear();
        state.Replace([Pet(1, "a"), Pet(3, "c2"), Pet(4, "d")], changes);
        Assert.Empty(changes);
        Assert.Same(after, state.Commit(changes));
    }

    [Fact]
    public void Replayed_messages_over_a_newer_snapshot_are_idempotent()
    {
        var state = State(new LiveQuery("pet"));
        var changes = new List<PendingChange<LivePet>>();
        state.Replace([Pet(1, "a2"), Pet(2, "b")], changes);
        changes.Clear();

        Assert.False(state.Apply(Created(Pet(2, "b")), changes));
        Assert.False(state.Apply(Updated(1, """{"name":"a2"}""", Pet(1, "a")), changes));
        Assert.Empty(changes);
    }

    [Fact]
    public void A_find_that_fills_the_default_limit_makes_the_collection_a_window()
    {
        var state = State(new LiveQuery("pet"), maxRecords: 2);
        var changes = new List<PendingChange<LivePet>>();
        state.Replace([Pet(1, "a"), Pet(2, "b")], changes);
        changes.Clear();
        Assert.True(state.Apply(Created(Pet(3, "c")), changes));
    }
}
