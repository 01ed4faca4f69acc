using System.Text.Json;
using SailSocket.Resources;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Resources;

/// <summary>
/// Which resourceful pub/sub messages a socket hears, and what they carry, pinned against Sails 1.5.18
/// (docs/blueprints.md, "What a socket hears"). Absence is proven by order: the server sends one socket's messages in
/// the order it makes the changes, so once a later message arrived, an earlier one would have too.
/// </summary>
public sealed class SubscriptionFactsTests : SailsServerTestBase
{
    private static string Prefix() => "s" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_find_watches_the_model_for_every_creation_even_outside_its_filter_then_hears_the_new_records_changes()
    {
        var ct = Bound.Seconds(30);
        await using var watcher = await ConnectAsync();
        await using var actor = await ConnectAsync();
        var watched = watcher.Resource("pet", ResourceJson.Default.PetRecord);
        using var log = new MessageLog<PetRecord>(watched);
        var pets = actor.Resource("pet", ResourceJson.Default.PetRecord);

        // A filter that matches nothing: the find still joins the model's class room (autoWatch).
        Assert.Empty(await watched.FindAsync(new SailsQuery { Where = SailsCriteria.Equal("name", Prefix()) }, ct));
        var created = await pets.CreateAsync(new NewPet(Prefix(), 2), ResourceJson.Default.NewPet, ct);

        var message = await log.WaitFor(m => m.Id == created.Id);
        Assert.Equal(SailsResourceVerb.Created, message.Verb);
        Assert.Equal(created, message.ReadRecord());
        Assert.False(message.HasPrevious);

        // ...and it was introduced to the new record: its update arrives too.
        await pets.UpdateAsync(created.Id, new PetAge(3), ResourceJson.Default.PetAge, ct);
        Assert.Equal(SailsResourceVerb.Updated, (await log.WaitFor(m => m.Id == created.Id && m.Verb != SailsResourceVerb.Created)).Verb);
    }

    [Fact]
    public async Task A_filtered_find_hears_nothing_of_existing_records_it_did_not_return()
    {
        var ct = Bound.Seconds(30);
        await using var watcher = await ConnectAsync();
        await using var actor = await ConnectAsync();
        var pets = actor.Resource("pet", ResourceJson.Default.PetRecord);
        var outside = await pets.CreateAsync(new NewPet(Prefix(), 1), ResourceJson.Default.NewPet, ct);
        var inside = await pets.CreateAsync(new NewPet(Prefix(), 1), ResourceJson.Default.NewPet, ct);
        var watched = watcher.Resource("pet", ResourceJson.Default.PetRecord);
        using var log = new MessageLog<PetRecord>(watched);
        Assert.Equal([inside.Id], (await watched.FindAsync(new SailsQuery { Where = SailsCriteria.Equal("name", inside.Name) }, ct)).Select(p => p.Id));

        // The outside record now takes the very name the filter asked for, yet the socket never hears of it.
        await pets.UpdateAsync(outside.Id, new PetChange(Name: inside.Name), ResourceJson.Default.PetChange, ct);
        await pets.UpdateAsync(inside.Id, new PetAge(2), ResourceJson.Default.PetAge, ct);
        await log.WaitFor(m => m.Id == inside.Id);
        Assert.DoesNotContain(log.Snapshot(), m => m.Id == outside.Id);
    }

    [Fact]
    public async Task Updated_carries_only_the_values_set_with_id_and_updatedAt_and_the_whole_previous_record()
    {
        var ct = Bound.Seconds(30);
        await using var watcher = await ConnectAsync();
        await using var actor = await ConnectAsync();
        var pets = actor.Resource("pet", ResourceJson.Default.PetRecord);
        var before = await pets.CreateAsync(new NewPet(Prefix(), 5, Species: "dog"), ResourceJson.Default.NewPet, ct);
        var watched = watcher.Resource("pet", ResourceJson.Default.PetRecord);
        using var log = new MessageLog<PetRecord>(watched);
        await watched.FindOneAsync(before.Id, cancellationToken: ct);

        var after = await pets.UpdateAsync(before.Id, new PetAge(6), ResourceJson.Default.PetAge, ct);
        var message = await log.WaitFor(m => m.Id == before.Id);
        Assert.Equal(SailsResourceVerb.Updated, message.Verb);
        using var changes = JsonDocument.Parse(message.Changes.Memory);
        Assert.Equal(["age", "id", "updatedAt"], changes.RootElement.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(6, changes.RootElement.GetProperty("age").GetDouble());
        Assert.Equal(after.UpdatedAt, changes.RootElement.GetProperty("updatedAt").GetInt64());
        Assert.Equal(new PetAge(6), message.ReadChanges(ResourceJson.Default.PetAge));

        // previous: the record as it was, populated like a find's records (tags [], owner null).
        Assert.True(message.HasPrevious);
        Assert.Equal(before, message.ReadPrevious());
        Assert.Throws<InvalidOperationException>(() => message.ReadRecord());

        // An association set by update comes as the id in the changes, and as addedTo on the other side.
        var owners = watcher.Resource("owner", ResourceJson.Default.OwnerRecord);
        using var ownerLog = new MessageLog<OwnerRecord>(owners);
        var owner = await actor.Resource("owner", ResourceJson.Default.OwnerRecord).CreateAsync(new NewOwner(Prefix()), ResourceJson.Default.NewOwner, ct);
        await pets.UpdateAsync(before.Id, new PetChange(Owner: owner.Id), ResourceJson.Default.PetChange, ct);
        var ownerChange = await log.WaitFor(m => m.Id == before.Id && m.Changes.ToString().Contains("owner", StringComparison.Ordinal));
        Assert.Equal(owner.Id, ownerChange.ReadChanges(ResourceJson.Default.PetChange).Owner);
        Assert.Null(ownerChange.ReadPrevious().Owner);
        var added = await ownerLog.WaitFor(m => m.Id == owner.Id && m.Verb == SailsResourceVerb.AddedTo);
        Assert.Equal(("pets", SailsRecordId.FromNumber(before.Id)), (added.Attribute, added.AssociatedId));
    }

    [Fact]
    public async Task Destroyed_carries_the_previous_record_populated_and_the_other_sides_hear_removedFrom()
    {
        var ct = Bound.Seconds(30);
        await using var watcher = await ConnectAsync();
        await using var actor = await ConnectAsync();
        var pets = actor.Resource("pet", ResourceJson.Default.PetRecord);
        var owner = await actor.Resource("owner", ResourceJson.Default.OwnerRecord).CreateAsync(new NewOwner(Prefix()), ResourceJson.Default.NewOwner, ct);
        var tag = await actor.Resource("tag", ResourceJson.Default.TagRecord).CreateAsync(new NewTag("d"), ResourceJson.Default.NewTag, ct);
        var pet = await pets.CreateAsync(new NewPet(Prefix(), 1, owner.Id), ResourceJson.Default.NewPet, ct);
        pet = await pets.AddToAsync(pet.Id, "tags", tag.Id, ct);

        var watched = watcher.Resource("pet", ResourceJson.Default.PetRecord);
        using var log = new MessageLog<PetRecord>(watched);
        using var ownerLog = new MessageLog<OwnerRecord>(watcher.Resource("owner", ResourceJson.Default.OwnerRecord));
        using var tagLog = new MessageLog<TagRecord>(watcher.Resource("tag", ResourceJson.Default.TagRecord));
        await watched.FindOneAsync(pet.Id, cancellationToken: ct);
        await watcher.Resource("owner", ResourceJson.Default.OwnerRecord).FindOneAsync(owner.Id, cancellationToken: ct);
        await watcher.Resource("tag", ResourceJson.Default.TagRecord).FindOneAsync(tag.Id, cancellationToken: ct);

        await pets.DestroyAsync(pet.Id, ct);
        var destroyed = await log.WaitFor(m => m.Id == pet.Id);
        Assert.Equal(SailsResourceVerb.Destroyed, destroyed.Verb);
        Assert.True(destroyed.Changes.IsEmpty);
        var previous = destroyed.ReadPrevious();
        Assert.Equal(pet with { UpdatedAt = previous.UpdatedAt }, previous with { Tags = pet.Tags });
        Assert.Equal([tag.Id], previous.Tags!.Select(t => t.Id));
        Assert.Equal(new OwnerRef(owner.Id, owner.Name), previous.Owner);

        var fromOwner = await ownerLog.WaitFor(m => m.Id == owner.Id && m.Verb == SailsResourceVerb.RemovedFrom);
        Assert.Equal(("pets", SailsRecordId.FromNumber(pet.Id)), (fromOwner.Attribute, fromOwner.AssociatedId));
        var fromTag = await tagLog.WaitFor(m => m.Id == tag.Id && m.Verb == SailsResourceVerb.RemovedFrom);
        Assert.Equal(("pets", SailsRecordId.FromNumber(pet.Id)), (fromTag.Attribute, fromTag.AssociatedId));
    }

    [Fact]
    public async Task Add_remove_and_replace_reach_both_sides_of_a_many_to_many()
    {
        var ct = Bound.Seconds(30);
        await using var watcher = await ConnectAsync();
        await using var actor = await ConnectAsync();
        var pets = actor.Resource("pet", ResourceJson.Default.PetRecord);
        var tags = actor.Resource("tag", ResourceJson.Default.TagRecord);
        var pet = await pets.CreateAsync(new NewPet(Prefix()), ResourceJson.Default.NewPet, ct);
        var a = await tags.CreateAsync(new NewTag("a"), ResourceJson.Default.NewTag, ct);
        var b = await tags.CreateAsync(new NewTag("b"), ResourceJson.Default.NewTag, ct);
        var watchedPets = watcher.Resource("pet", ResourceJson.Default.PetRecord);
        var watchedTags = watcher.Resource("tag", ResourceJson.Default.TagRecord);
        using var petLog = new MessageLog<PetRecord>(watchedPets);
        using var tagLog = new MessageLog<TagRecord>(watchedTags);
        await watchedPets.FindOneAsync(pet.Id, cancellationToken: ct);
        await watchedTags.FindAsync(new SailsQuery { Where = SailsCriteria.In("id", [a.Id, b.Id]) }, ct);

        await pets.AddToAsync(pet.Id, "tags", a.Id, ct);
        await pets.RemoveFromAsync(pet.Id, "tags", a.Id, ct);
        await pets.AddToAsync(pet.Id, "tags", a.Id, ct);
        await pets.ReplaceAsync(pet.Id, "tags", [b.Id], ct);
        await pets.UpdateAsync(pet.Id, new PetAge(9), ResourceJson.Default.PetAge, ct);
        await petLog.WaitFor(m => m.Verb == SailsResourceVerb.Updated);
        await tagLog.WaitFor(m => m.Id == b.Id);

        string Describe<T>(IEnumerable<SailsResourceMessage<T>> messages) => string.Join(" ", messages.Select(m => $"{m.Verb}:{m.Id}:{m.Attribute}:{m.AssociatedId}"));
        var p = pet.Id;

        // Other tests' creations reach the watcher too (its finds watch both models): only this pet and these tags count.
        // The pet's side: each add and remove, in order; a replace publishes the additions and the removals it made.
        Assert.Equal(
            $"AddedTo:{p}:tags:{a.Id} RemovedFrom:{p}:tags:{a.Id} AddedTo:{p}:tags:{a.Id} AddedTo:{p}:tags:{b.Id} RemovedFrom:{p}:tags:{a.Id} Updated:{p}::",
            Describe(petLog.Snapshot().Where(m => m.Id == p)));
        Assert.Equal(
            $"AddedTo:{a.Id}:pets:{p} RemovedFrom:{a.Id}:pets:{p} AddedTo:{a.Id}:pets:{p} AddedTo:{b.Id}:pets:{p} RemovedFrom:{a.Id}:pets:{p}",
            Describe(tagLog.Snapshot().Where(m => m.Id == a.Id || m.Id == b.Id)));
    }

    [Fact]
    public async Task The_socket_that_makes_a_change_hears_nothing_of_it()
    {
        var ct = Bound.Seconds(30);
        await using var actor = await ConnectAsync();
        await using var other = await ConnectAsync();
        var pets = actor.Resource("pet", ResourceJson.Default.PetRecord);
        using var actorLog = new MessageLog<PetRecord>(pets);
        await pets.FindAsync(new SailsQuery { Limit = 1 }, ct);

        var mine = await pets.CreateAsync(new NewPet(Prefix()), ResourceJson.Default.NewPet, ct);
        await pets.UpdateAsync(mine.Id, new PetAge(2), ResourceJson.Default.PetAge, ct);

        // The actor is subscribed to its record (create subscribes the creator): another socket's change reaches it...
        await other.Resource("pet", ResourceJson.Default.PetRecord).UpdateAsync(mine.Id, new PetAge(3), ResourceJson.Default.PetAge, ct);
        var heard = await actorLog.WaitFor(m => m.Id == mine.Id);
        Assert.Equal(3, heard.ReadChanges(ResourceJson.Default.PetAge).Age);

        // ...and that is the only message about it: its own create, update and destroy were not echoed (a creation by
        // the other socket, which the actor hears through its find, arrives after the destroy would have).
        await pets.DestroyAsync(mine.Id, ct);
        var marker = await other.Resource("pet", ResourceJson.Default.PetRecord).CreateAsync(new NewPet(Prefix()), ResourceJson.Default.NewPet, ct);
        await actorLog.WaitFor(m => m.Id == marker.Id);
        Assert.Single(actorLog.Snapshot(), m => m.Id == mine.Id);
    }

    [Fact]
    public async Task A_find_one_subscribes_to_that_record_only_and_watches_the_associated_models()
    {
        var ct = Bound.Seconds(30);
        await using var watcher = await ConnectAsync();
        await using var actor = await ConnectAsync();
        var pets = actor.Resource("pet", ResourceJson.Default.PetRecord);
        var pet = await pets.CreateAsync(new NewPet(Prefix()), ResourceJson.Default.NewPet, ct);
        var watched = watcher.Resource("pet", ResourceJson.Default.PetRecord);
        using var petLog = new MessageLog<PetRecord>(watched);
        using var tagLog = new MessageLog<TagRecord>(watcher.Resource("tag", ResourceJson.Default.TagRecord));
        await watched.FindOneAsync(pet.Id, cancellationToken: ct);

        var newPet = await pets.CreateAsync(new NewPet(Prefix()), ResourceJson.Default.NewPet, ct);
        var tag = await actor.Resource("tag", ResourceJson.Default.TagRecord).CreateAsync(new NewTag("w"), ResourceJson.Default.NewTag, ct);
        await pets.UpdateAsync(pet.Id, new PetAge(4), ResourceJson.Default.PetAge, ct);

        await petLog.WaitFor(m => m.Id == pet.Id);
        Assert.Equal(SailsResourceVerb.Created, (await tagLog.WaitFor(m => m.Id == tag.Id)).Verb);
        Assert.DoesNotContain(petLog.Snapshot(), m => m.Id == newPet.Id);
    }

    [Fact]
    public async Task SubscribeAsync_returns_the_records_and_the_typed_stream_carries_the_messages()
    {
        var ct = Bound.Seconds(30);
        await using var watcher = await ConnectAsync();
        await using var actor = await ConnectAsync();
        var prefix = Prefix();
        var pets = actor.Resource("pet", ResourceJson.Default.PetRecord);
        var existing = await pets.CreateAsync(new NewPet(prefix + "-1"), ResourceJson.Default.NewPet, ct);
        var watched = watcher.Resource("pet", ResourceJson.Default.PetRecord);
        var stream = watched.ReadMessagesAsync(cancellationToken: ct);

        using var subscription = await watched.SubscribeAsync(new SailsQuery { Where = SailsCriteria.StartsWith("name", prefix) }, ct);
        Assert.Equal([existing], subscription.Records);
        Assert.Equal([existing], subscription.ReadLatestRecords());
        Assert.Equal("get", subscription.Subscription.Request.Method);

        var created = await pets.CreateAsync(new NewPet(prefix + "-2"), ResourceJson.Default.NewPet, ct);
        await pets.DestroyAsync(existing.Id, ct);
        var seen = new List<SailsResourceMessage<PetRecord>>();
        await foreach (var message in stream)
        {
            if (message.Id == created.Id || message.Id == existing.Id)
            {
                seen.Add(message);
            }

            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal((SailsResourceVerb.Created, created), (seen[0].Verb, seen[0].ReadRecord()));
        Assert.Equal((SailsResourceVerb.Destroyed, existing.Id), (seen[1].Verb, seen[1].ReadPrevious().Id));
    }

    [Fact]
    public async Task A_subscription_is_sent_again_after_a_reconnect_and_the_socket_hears_creations_again()
    {
        var ct = Bound.Seconds(60);
        await using var proxy = FaultProxy.Start(Server.Port);
        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = proxy.Url,
            Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromMilliseconds(200), DelayMax = TimeSpan.FromMilliseconds(500) },
            ConnectTimeout = TimeSpan.FromSeconds(10),
            RequestTimeout = TimeSpan.FromSeconds(10),
        });
        await using var watcher = await client.ConnectAsync(ct);
        await using var actor = await ConnectAsync();
        var watched = watcher.Resource("pet", ResourceJson.Default.PetRecord);
        using var log = new MessageLog<PetRecord>(watched);
        var replayed = new TaskCompletionSource<SailsResubscribedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Resubscribed += (_, e) => replayed.TrySetResult(e);
        var prefix = Prefix();
        var pets = actor.Resource("pet", ResourceJson.Default.PetRecord);
        var first = await pets.CreateAsync(new NewPet(prefix + "-1"), ResourceJson.Default.NewPet, ct);
        using var subscription = await watched.SubscribeAsync(new SailsQuery { Where = SailsCriteria.StartsWith("name", prefix) }, ct);

        proxy.CutAll();
        var replay = await replayed.Task.Within(30);
        Assert.True(replay.Succeeded);
        Assert.Same(subscription.Subscription, replay.Subscription);
        var second = await pets.CreateAsync(new NewPet(prefix + "-2"), ResourceJson.Default.NewPet, ct);
        Assert.Equal([first.Id], subscription.ReadLatestRecords().Select(p => p.Id));

        // The server forgot the old socket's rooms: only the replayed find can have joined the new one to the model.
        Assert.Equal(SailsResourceVerb.Created, (await log.WaitFor(m => m.Id == second.Id, 20)).Verb);
    }
}
