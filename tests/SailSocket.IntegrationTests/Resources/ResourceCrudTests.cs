using SailSocket.Resources;

namespace SailSocket.IntegrationTests.Resources;

/// <summary>Every blueprint operation of <see cref="SailsResource{T}"/> against the real app (tests/sails-app: Pet, Owner, Tag).</summary>
public sealed class ResourceCrudTests : SailsServerTestBase
{
    private static string Prefix() => "r" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Create_find_one_update_destroy_round_trip_typed_records()
    {
        var ct = Bound.Seconds(30);
        await using var socket = await ConnectAsync();
        var pets = socket.Resource("pet", ResourceJson.Default.PetRecord);
        var name = Prefix();

        var created = await pets.CreateAsync(new NewPet(name, 3, Species: "dog"), ResourceJson.Default.NewPet, ct);
        Assert.True(created.Id > 0);
        Assert.Equal((name, "dog", 3.0), (created.Name, created.Species, created.Age));
        Assert.Null(created.Owner);
        Assert.Empty(created.Tags!);

        Assert.Equal(created, await pets.FindOneAsync(created.Id, cancellationToken: ct));

        var updated = await pets.UpdateAsync(created.Id, new PetAge(4), ResourceJson.Default.PetAge, ct);
        Assert.Equal((created.Id, name, "dog", 4.0), (updated.Id, updated.Name, updated.Species, updated.Age));
        Assert.True(updated.UpdatedAt >= created.UpdatedAt);

        var destroyed = await pets.DestroyAsync(created.Id, ct);
        Assert.Equal(updated with { }, destroyed with { UpdatedAt = updated.UpdatedAt });
        var gone = await Assert.ThrowsAsync<SailsBlueprintException>(() => pets.FindOneAsync(created.Id, cancellationToken: ct));
        Assert.Equal(SailsBlueprintErrorKind.NotFound, gone.Kind);
    }

    [Fact]
    public async Task Find_applies_where_sort_limit_and_skip()
    {
        var ct = Bound.Seconds(30);
        await using var socket = await ConnectAsync();
        var pets = socket.Resource("pet", ResourceJson.Default.PetRecord);
        var prefix = Prefix();
        for (var i = 0; i < 6; i++)
        {
            await pets.CreateAsync(new NewPet($"{prefix}-{i}", i, Species: i % 2 == 0 ? "cat" : "dog"), ResourceJson.Default.NewPet, ct);
        }

        var mine = SailsCriteria.StartsWith("name", prefix);
        Assert.Equal(6, (await pets.FindAsync(new SailsQuery { Where = mine }, ct)).Count);

        var dogsByAgeDescending = await pets.FindAsync(new SailsQuery
        {
            Where = SailsCriteria.And(mine, SailsCriteria.Equal("species", "dog")),
            Sort = [SailsSort.DescendingBy("age")],
        }, ct);
        Assert.Equal([5.0, 3.0, 1.0], dogsByAgeDescending.Select(p => p.Age));

        var page = await pets.FindAsync(new SailsQuery { Where = mine, Sort = [SailsSort.Ascending("age")], Skip = 2, Limit = 3 }, ct);
        Assert.Equal([2.0, 3.0, 4.0], page.Select(p => p.Age));

        var either = await pets.FindAsync(new SailsQuery
        {
            Where = SailsCriteria.And(mine, SailsCriteria.Or(SailsCriteria.LessThan("age", 1), SailsCriteria.GreaterThanOrEqual("age", 5))),
            Sort = [SailsSort.Ascending("age")],
        }, ct);
        Assert.Equal([0.0, 5.0], either.Select(p => p.Age));

        var set = await pets.FindAsync(new SailsQuery { Where = SailsCriteria.In("name", [$"{prefix}-1", $"{prefix}-4", "nobody"]), Sort = [SailsSort.Ascending("age")] }, ct);
        Assert.Equal([1.0, 4.0], set.Select(p => p.Age));

        var rest = await pets.FindAsync(new SailsQuery
        {
            Where = SailsCriteria.And(mine, SailsCriteria.NotIn("age", [0, 1, 2]), SailsCriteria.NotEqual("age", 4), SailsCriteria.LessThanOrEqual("age", 5), SailsCriteria.GreaterThan("age", 0)),
            Sort = [SailsSort.Ascending("age")],
        }, ct);
        Assert.Equal([3.0, 5.0], rest.Select(p => p.Age));

        var ends = await pets.FindAsync(new SailsQuery { Where = SailsCriteria.And(SailsCriteria.Contains("name", prefix[1..]), SailsCriteria.EndsWith("name", "-3")) }, ct);
        Assert.Equal($"{prefix}-3", Assert.Single(ends).Name);
    }

    [Fact]
    public async Task Select_omit_and_populate_shape_the_records()
    {
        var ct = Bound.Seconds(30);
        await using var socket = await ConnectAsync();
        var owners = socket.Resource("owner", ResourceJson.Default.OwnerRecord);
        var pets = socket.Resource("pet", ResourceJson.Default.PetRecord);
        var name = Prefix();
        var owner = await owners.CreateAsync(new NewOwner(name), ResourceJson.Default.NewOwner, ct);
        var pet = await pets.CreateAsync(new NewPet(name, 2, owner.Id), ResourceJson.Default.NewPet, ct);
        Assert.Equal(new OwnerRef(owner.Id, name), pet.Owner);
        var mine = SailsCriteria.Equal("name", name);

        // populate=false: the owner comes as its id; the typed record for that shape reads it.
        var flat = await socket.Resource("pet", ResourceJson.Default.FlatPet).FindAsync(new SailsQuery { Where = mine, Populate = [] }, ct);
        Assert.Equal(owner.Id, Assert.Single(flat).Owner);

        // populate=owner only: owner is an object, tags are left out.
        var raw = await socket.GetAsync($"/pet/{pet.Id}", ct);
        Assert.Contains("\"tags\"", raw.Body.ToString(), StringComparison.Ordinal);
        var onlyOwner = await pets.FindOneAsync(pet.Id, new SailsQuery { Populate = ["owner"] }, ct);
        Assert.Equal(new OwnerRef(owner.Id, name), onlyOwner.Owner);
        Assert.Null(onlyOwner.Tags);

        // select: only the attributes asked for, and the id.
        var names = await socket.Resource("pet", ResourceJson.Default.PetName).FindAsync(new SailsQuery { Where = mine, Select = ["name"], Populate = [] }, ct);
        Assert.Equal(new PetName(pet.Id, name, null), Assert.Single(names));

        // omit: everything but.
        var withoutSpecies = await socket.Resource("pet", ResourceJson.Default.PetName).FindOneAsync(pet.Id, new SailsQuery { Omit = ["species"] }, ct);
        Assert.Equal(new PetName(pet.Id, name, null), withoutSpecies);
    }

    [Fact]
    public async Task Collection_associations_add_remove_and_replace()
    {
        var ct = Bound.Seconds(30);
        await using var socket = await ConnectAsync();
        var pets = socket.Resource("pet", ResourceJson.Default.PetRecord);
        var tags = socket.Resource("tag", ResourceJson.Default.TagRecord);
        var pet = await pets.CreateAsync(new NewPet(Prefix()), ResourceJson.Default.NewPet, ct);
        var a = await tags.CreateAsync(new NewTag("a"), ResourceJson.Default.NewTag, ct);
        var b = await tags.CreateAsync(new NewTag("b"), ResourceJson.Default.NewTag, ct);
        var c = await tags.CreateAsync(new NewTag("c"), ResourceJson.Default.NewTag, ct);

        Assert.Equal([a.Id], (await pets.AddToAsync(pet.Id, "tags", a.Id, ct)).Tags!.Select(t => t.Id));
        Assert.Equal([a.Id, b.Id], (await pets.AddToAsync(pet.Id, "tags", b.Id, ct)).Tags!.Select(t => t.Id).Order());
        Assert.Equal([b.Id], (await pets.RemoveFromAsync(pet.Id, "tags", a.Id, ct)).Tags!.Select(t => t.Id));
        Assert.Equal([a.Id, c.Id], (await pets.ReplaceAsync(pet.Id, "tags", [c.Id, a.Id], ct)).Tags!.Select(t => t.Id).Order());
        Assert.Empty((await pets.ReplaceAsync(pet.Id, "tags", [], ct)).Tags!);

        // The other side of the many-to-many sees the same join rows.
        await pets.AddToAsync(pet.Id, "tags", b.Id, ct);
        var fromTag = await tags.FindOneAsync(b.Id, cancellationToken: ct);
        Assert.Contains(pet.Id, fromTag.Pets.EnumerateArray().Select(p => p.GetProperty("id").GetInt64()));

        // One-to-many from the "one" side: adding a pet to an owner sets the pet's owner.
        var owners = socket.Resource("owner", ResourceJson.Default.OwnerRecord);
        var owner = await owners.CreateAsync(new NewOwner(Prefix()), ResourceJson.Default.NewOwner, ct);
        await owners.AddToAsync(owner.Id, "pets", pet.Id, ct);
        Assert.Equal(owner.Id, (await pets.FindOneAsync(pet.Id, cancellationToken: ct)).Owner!.Id);
    }

    [Fact]
    public async Task The_injection_test_value_does_inject_when_concatenated_into_the_where_text()
    {
        // The control for the theory below: the same value pasted into the JSON text adds a second "name" (JSON.parse
        // keeps the last duplicate key) and a "species" constraint, and matches a record whose name is not the value.
        var ct = Bound.Seconds(30);
        await using var socket = await ConnectAsync();
        var pets = socket.Resource("pet", ResourceJson.Default.PetRecord);
        var victim = await pets.CreateAsync(new NewPet(Prefix(), Species: ""), ResourceJson.Default.NewPet, ct);
        const string Hostile = "x\", \"name\": {\"!=\": \"y\"}, \"species\": \"";
        var naive = await socket.GetAsync("/pet?where=" + Uri.EscapeDataString("{\"name\":\"" + Hostile + "\"}"), ct);
        Assert.Contains(victim.Id, pets.ReadRecords(naive).Select(p => p.Id));
        Assert.Empty(await pets.FindAsync(new SailsQuery { Where = SailsCriteria.Equal("name", Hostile) }, ct));
    }

    [Theory]
    [InlineData("x\", \"name\": {\"!=\": \"y\"}, \"species\": \"")]
    [InlineData("\"}, \"or\": [{\"id\": {\"!=\": 0}}], \"x\": {\"")]
    [InlineData("{\"!=\": null}")]
    [InlineData("%")]
    [InlineData("*")]
    [InlineData("a&where={}&limit=1000&b=")]
    [InlineData("'; DROP TABLE pet; --")]
    public async Task A_where_built_from_user_input_cannot_inject_criteria(string hostile)
    {
        var ct = Bound.Seconds(30);
        await using var socket = await ConnectAsync();
        var pets = socket.Resource("pet", ResourceJson.Default.PetRecord);
        var prefix = Prefix();
        await pets.CreateAsync(new NewPet(prefix + "-innocent"), ResourceJson.Default.NewPet, ct);

        // Every record would come back if the value escaped its JSON string or its query parameter.
        Assert.Empty(await pets.FindAsync(new SailsQuery { Where = SailsCriteria.Equal("name", hostile) }, ct));
        Assert.Empty(await pets.FindAsync(new SailsQuery { Where = SailsCriteria.And(SailsCriteria.StartsWith("name", prefix), SailsCriteria.Contains("name", hostile)) }, ct));

        // And a record whose name is the hostile text is found exactly, by equality and by search.
        var stored = await pets.CreateAsync(new NewPet(prefix + hostile), ResourceJson.Default.NewPet, ct);
        Assert.Equal(stored.Id, Assert.Single(await pets.FindAsync(new SailsQuery { Where = SailsCriteria.Equal("name", prefix + hostile) }, ct)).Id);
        Assert.Equal(stored.Id, Assert.Single(await pets.FindAsync(new SailsQuery { Where = SailsCriteria.And(SailsCriteria.StartsWith("name", prefix), SailsCriteria.EndsWith("name", hostile)) }, ct)).Id);
    }
}
