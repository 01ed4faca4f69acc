using System.Diagnostics;
using System.Text.Json;
using SailSocket.Live;
using SailSocket.Resources;
using static SailSocket.IntegrationTests.Live.LiveTestKit;

namespace SailSocket.IntegrationTests.Live;

/// <summary>
/// Live collections against the real Sails app: every resourceful message, filter entry and exit, windows, two
/// collections on one socket, a flood, disposal during a refetch. Each test keeps to records of its own (a unique
/// species), since the shared server serves other tests too.
/// </summary>
public sealed class LiveCollectionTests : SailsServerTestBase
{
    private static readonly LiveCollectionOptions s_options = new() { RefetchDelay = TimeSpan.FromMilliseconds(20) };

    private static string Unique() => "sp" + Guid.NewGuid().ToString("N")[..12];

    private static LiveQuery BySpecies(string species, string sort = "name ASC", int? limit = null) =>
        new("pet") { Where = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["species"] = species }), Sort = sort, Limit = limit };

    [Fact]
    public async Task Every_message_type_reaches_the_collection_and_its_change_stream()
    {
        await using var live = await ConnectAsync();
        await using var writer = await ConnectAsync();
        var species = Unique();
        await using var pets = await LiveCollection.StartAsync(live, BySpecies(species), LiveJson.Default.JsonElement, s_options);
        await using var changes = ReadChanges(pets);
        Assert.Empty(pets.Snapshot);

        var rex = await SendAsync(writer, "post", "/pet", $$"""{"name":"rex","species":"{{species}}","age":3}""");
        var added = await changes.NextAsync();
        Assert.Equal((LiveChangeKind.Added, Id(rex).ToString()), (added.Kind, added.Key));

        await SendAsync(writer, "patch", $"/pet/{Id(rex)}", """{"name":"rex2"}""");
        var updated = await changes.NextAsync();
        Assert.Equal(LiveChangeKind.Updated, updated.Kind);
        Assert.Equal("rex", updated.OldItem.GetProperty("name").GetString());
        Assert.Equal("rex2", updated.NewItem.GetProperty("name").GetString());

        // addedTo / removedFrom on a populated collection: the collection refetches and reports the record updated.
        var tag = await SendAsync(writer, "post", "/tag", """{"label":"good"}""");
        await SendAsync(writer, "put", $"/pet/{Id(rex)}/tags/{Id(tag)}");
        var tagged = await changes.NextAsync();
        Assert.Equal(LiveChangeKind.Updated, tagged.Kind);
        Assert.Equal(1, tagged.NewItem.GetProperty("tags").GetArrayLength());
        await SendAsync(writer, "delete", $"/pet/{Id(rex)}/tags/{Id(tag)}");
        var untagged = await changes.NextAsync();
        Assert.Equal(0, untagged.NewItem.GetProperty("tags").GetArrayLength());

        await SendAsync(writer, "delete", $"/pet/{Id(rex)}");
        var removed = await changes.NextAsync();
        Assert.Equal((LiveChangeKind.Removed, "rex2"), (removed.Kind, removed.OldItem.GetProperty("name").GetString()));
        Assert.Empty(pets.Snapshot);
        await AssertConvergesAsync(pets, writer);
        Assert.True(pets.MessageCount >= 5);
    }

    [Fact]
    public async Task A_record_that_starts_or_stops_matching_the_filter_enters_or_leaves()
    {
        await using var live = await ConnectAsync();
        await using var writer = await ConnectAsync();
        var species = Unique();

        // Created before the collection and not matching it: the filtered find alone would not subscribe to it.
        var outsider = await SendAsync(writer, "post", "/pet", $$"""{"name":"out","species":"{{species}}-no"}""");
        await using var pets = await LiveCollection.StartAsync(live, BySpecies(species), LiveJson.Default.JsonElement, s_options);
        await using var changes = ReadChanges(pets);

        await SendAsync(writer, "patch", $"/pet/{Id(outsider)}", $$"""{"species":"{{species}}"}""");
        var entered = await changes.NextAsync();
        Assert.Equal((LiveChangeKind.Added, Id(outsider).ToString()), (entered.Kind, entered.Key));
        Assert.Equal(species, pets.Snapshot.Single().GetProperty("species").GetString());

        await SendAsync(writer, "patch", $"/pet/{Id(outsider)}", """{"species":"elsewhere"}""");
        var left = await changes.NextAsync();
        Assert.Equal(LiveChangeKind.Removed, left.Kind);
        Assert.Empty(pets.Snapshot);
        await AssertConvergesAsync(pets, writer);
    }

    [Fact]
    public async Task Two_collections_over_different_queries_share_one_socket()
    {
        await using var live = await ConnectAsync();
        await using var writer = await ConnectAsync();
        var cats = Unique();
        var dogs = Unique();
        await using var catList = await LiveCollection.StartAsync(live, BySpecies(cats), LiveJson.Default.JsonElement, s_options);
        await using var dogList = await LiveCollection.StartAsync(live, BySpecies(dogs), LiveJson.Default.JsonElement, s_options);
        await using var catChanges = ReadChanges(catList);
        await using var dogChanges = ReadChanges(dogList);

        var tom = await SendAsync(writer, "post", "/pet", $$"""{"name":"tom","species":"{{cats}}"}""");
        await SendAsync(writer, "post", "/pet", $$"""{"name":"fido","species":"{{dogs}}"}""");
        Assert.Equal(LiveChangeKind.Added, (await catChanges.NextAsync()).Kind);
        Assert.Equal(LiveChangeKind.Added, (await dogChanges.NextAsync()).Kind);

        await SendAsync(writer, "patch", $"/pet/{Id(tom)}", $$"""{"species":"{{dogs}}"}""");
        Assert.Equal(LiveChangeKind.Removed, (await catChanges.NextAsync()).Kind);
        Assert.Equal(LiveChangeKind.Added, (await dogChanges.NextAsync()).Kind);
        Assert.Equal(["fido", "tom"], dogList.Snapshot.Select(p => p.GetProperty("name").GetString()));
        await AssertConvergesAsync(catList, writer);
        await AssertConvergesAsync(dogList, writer);
    }

    [Fact]
    public async Task A_limit_window_refetches_when_a_message_alone_cannot_place_a_record()
    {
        await using var live = await ConnectAsync();
        await using var writer = await ConnectAsync();
        var species = Unique();
        foreach (var age in new[] { 10, 20, 30, 40, 50 })
        {
            await SendAsync(writer, "post", "/pet", $$"""{"name":"p{{age}}","species":"{{species}}","age":{{age}}}""");
        }

        var pets = writer.Resource("pet", LiveJson.Default.JsonElement);
        var query = new SailsQuery { Where = SailsCriteria.Equal("species", species), Sort = [SailsSort.Ascending("age")], Limit = 3 };
        await using var window = await live.Resource("pet", LiveJson.Default.JsonElement).FindLiveAsync(query, s_options);
        Assert.Equal([10, 20, 30], Ages(window));
        var fetches = window.FetchCount;

        var baby = await SendAsync(writer, "post", "/pet", $$"""{"name":"baby","species":"{{species}}","age":1}""");
        await Bound.Until(() => Ages(window).SequenceEqual([1, 10, 20]), 10);
        await SendAsync(writer, "delete", $"/pet/{Id(baby)}");
        await Bound.Until(() => Ages(window).SequenceEqual([10, 20, 30]), 10);
        Assert.True(window.FetchCount > fetches);
        await AssertConvergesAsync(window, writer);
        Assert.NotNull(pets);
    }

    [Fact]
    public async Task A_flood_of_updates_is_coalesced_into_few_refetches()
    {
        await using var live = await ConnectAsync();
        await using var writer = await ConnectAsync();
        var species = Unique();
        var ids = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(Id(await SendAsync(writer, "post", "/pet", $$"""{"name":"f{{i}}","species":"{{species}}","age":{{i}}}""")));
        }

        var delay = TimeSpan.FromMilliseconds(200);
        await using var window = await LiveCollection.StartAsync(live, BySpecies(species, "age DESC", limit: 3), LiveJson.Default.JsonElement, new LiveCollectionOptions { RefetchDelay = delay });
        var fetchesBefore = window.FetchCount;
        var watch = Stopwatch.StartNew();
        const int Updates = 300;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            // One record per writer: sails-disk fails concurrent updates of one record ("Could not find record after updating!").
            for (var i = w; i < Updates; i += 4)
            {
                await SendAsync(writer, "patch", $"/pet/{ids[w]}", $$"""{"age":{{i}}}""");
            }
        })));
        await Bound.Until(() => window.MessageCount >= Updates && !window.IsRefetching, 30);
        await AssertConvergesAsync(window, writer);
        watch.Stop();

        // Every update touches the window's sort key: each one alone would need a find. At most one find per delay runs.
        var fetches = window.FetchCount - fetchesBefore;
        var bound = (long)(watch.Elapsed / delay) + 3;
        Assert.True(fetches <= bound, $"{fetches} refetches for {Updates} updates in {watch.ElapsedMilliseconds} ms (bound {bound})");
        Assert.True(fetches < Updates / 4, $"{fetches} refetches for {Updates} updates");
    }

    [Fact]
    public async Task A_collection_disposed_during_a_refetch_leaks_nothing()
    {
        await using var client = new SailsClient(new SailsClientOptions { Url = Server.Url, MaxListenersPerEvent = 2, RequestTimeout = TimeSpan.FromSeconds(10) });
        await using var live = await client.ConnectAsync(Bound.Seconds(15));
        var species = Unique();
        for (var i = 0; i < 10; i++)
        {
            var collection = await LiveCollection.StartAsync(live, BySpecies(species), LiveJson.Default.JsonElement, s_options);
            var stream = collection.ReadChangesAsync().GetAsyncEnumerator();
            var refresh = collection.RefreshAsync();
            await collection.DisposeAsync().AsTask().Within(10);

            // The refetch ends (done, or abandoned), the stream ends, nothing waits.
            await Task.WhenAny(refresh).Within(10);
            Assert.False(await stream.MoveNextAsync().AsTask().Within(10));
            Assert.Throws<ObjectDisposedException>(() => collection.CreateView(new SynchronizationContext()));
        }

        // Each collection held one handler of "pet" while it lived: with two allowed, a leak would refuse these.
        await using var a = await LiveCollection.StartAsync(live, BySpecies(species), LiveJson.Default.JsonElement, s_options);
        await using var b = await LiveCollection.StartAsync(live, BySpecies(species), LiveJson.Default.JsonElement, s_options);
        Assert.Empty(a.Snapshot);
    }

    [Fact]
    public async Task A_record_that_does_not_match_the_type_fails_with_its_json_path()
    {
        await using var live = await ConnectAsync();
        await using var writer = await ConnectAsync();
        var species = Unique();
        await SendAsync(writer, "post", "/pet", $$"""{"name":"x","species":"{{species}}"}""");
        var error = await Assert.ThrowsAsync<JsonException>(() => LiveCollection.StartAsync(live, BySpecies(species), TestJson.Default.Int32, s_options));
        Assert.Equal("$", error.Path);
    }

    private static int[] Ages(LiveCollection<JsonElement> collection) => collection.Snapshot.Select(p => p.GetProperty("age").GetInt32()).ToArray();

    private static ChangeReader ReadChanges(LiveCollection<JsonElement> collection) => new(collection.ReadChangesAsync().GetAsyncEnumerator());

    /// <summary>Takes the changes one at a time, each within a bound.</summary>
    private sealed class ChangeReader(IAsyncEnumerator<LiveChange<JsonElement>> changes) : IAsyncDisposable
    {
        public async Task<LiveChange<JsonElement>> NextAsync()
        {
            Assert.True(await changes.MoveNextAsync().AsTask().Within(10), "the change stream ended");
            return changes.Current;
        }

        public ValueTask DisposeAsync() => changes.DisposeAsync();
    }
}
