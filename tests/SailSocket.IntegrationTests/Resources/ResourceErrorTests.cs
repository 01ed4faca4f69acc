using System.Text.Json;
using SailSocket.Resources;

namespace SailSocket.IntegrationTests.Resources;

/// <summary>The blueprint error shapes of the real server, mapped to <see cref="SailsBlueprintException"/>; records that do
/// not fit their type fail with the JSON path.</summary>
public sealed class ResourceErrorTests : SailsServerTestBase
{
    private static string Prefix() => "e" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_missing_required_attribute_is_an_invalid_new_record()
    {
        await using var socket = await ConnectAsync();
        var owners = socket.Resource("owner", ResourceJson.Default.OwnerRecord);
        var error = await Assert.ThrowsAsync<SailsBlueprintException>(() => owners.CreateAsync(new NewOwner(null), ResourceJson.Default.NewOwner, Bound.Seconds(20)));
        Assert.Equal((400, SailsBlueprintErrorKind.InvalidRequest, "E_INVALID_NEW_RECORD", "owner"), (error.StatusCode, error.Kind, error.Code, error.Model));
        Assert.Contains("name", error.Details, StringComparison.Ordinal);
        Assert.Contains("E_INVALID_NEW_RECORD", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("POST /owner", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<SailsRequestException>(error);
    }

    [Fact]
    public async Task A_taken_unique_value_is_a_unique_violation_naming_the_attribute()
    {
        var ct = Bound.Seconds(20);
        await using var socket = await ConnectAsync();
        var owners = socket.Resource("owner", ResourceJson.Default.OwnerRecord);
        var name = Prefix();
        await owners.CreateAsync(new NewOwner(name), ResourceJson.Default.NewOwner, ct);
        var error = await Assert.ThrowsAsync<SailsBlueprintException>(() => owners.CreateAsync(new NewOwner(name), ResourceJson.Default.NewOwner, ct));
        Assert.Equal((SailsBlueprintErrorKind.UniqueViolation, "E_UNIQUE"), (error.Kind, error.Code));
        Assert.Equal(["name"], error.AttributeNames);
        Assert.True(error.StatusCode is 400 or 409, $"status {error.StatusCode}");

        // The same through an update.
        var other = await owners.CreateAsync(new NewOwner(Prefix()), ResourceJson.Default.NewOwner, ct);
        var onUpdate = await Assert.ThrowsAsync<SailsBlueprintException>(() => owners.UpdateAsync(other.Id, new NewOwner(name), ResourceJson.Default.NewOwner, ct));
        Assert.Equal((SailsBlueprintErrorKind.UniqueViolation, "E_UNIQUE"), (onUpdate.Kind, onUpdate.Code));
    }

    [Fact]
    public async Task A_wrongly_typed_value_on_update_is_an_invalid_values_to_set()
    {
        var ct = Bound.Seconds(20);
        await using var socket = await ConnectAsync();
        var pets = socket.Resource("pet", ResourceJson.Default.PetRecord);
        var pet = await pets.CreateAsync(new NewPet(Prefix()), ResourceJson.Default.NewPet, ct);
        var change = new PetChange(Age: JsonSerializer.SerializeToElement("old"));
        var error = await Assert.ThrowsAsync<SailsBlueprintException>(() => pets.UpdateAsync(pet.Id, change, ResourceJson.Default.PetChange, ct));
        Assert.Equal((400, SailsBlueprintErrorKind.InvalidRequest, "E_INVALID_VALUES_TO_SET"), (error.StatusCode, error.Kind, error.Code));
        Assert.Contains("age", error.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_criteria_the_model_cannot_answer_is_an_invalid_criteria()
    {
        await using var socket = await ConnectAsync();
        var pets = socket.Resource("pet", ResourceJson.Default.PetRecord);
        var query = new SailsQuery { Where = SailsCriteria.Contains("age", "3") };
        var error = await Assert.ThrowsAsync<SailsBlueprintException>(() => pets.FindAsync(query, Bound.Seconds(20)));
        Assert.Equal((400, SailsBlueprintErrorKind.InvalidRequest, "E_INVALID_CRITERIA"), (error.StatusCode, error.Kind, error.Code));
        Assert.StartsWith("GET /pet?where=…", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_records_are_not_found_on_every_route()
    {
        var ct = Bound.Seconds(20);
        await using var socket = await ConnectAsync();
        var pets = socket.Resource("pet", ResourceJson.Default.PetRecord);
        var pet = await pets.CreateAsync(new NewPet(Prefix()), ResourceJson.Default.NewPet, ct);
        const long Missing = 987_654_321;
        Func<Task>[] calls =
        [
            () => pets.FindOneAsync(Missing, cancellationToken: ct),
            () => pets.UpdateAsync(Missing, new PetAge(1), ResourceJson.Default.PetAge, ct),
            () => pets.DestroyAsync(Missing, ct),
            () => pets.AddToAsync(Missing, "tags", 1, ct),
            () => pets.AddToAsync(pet.Id, "tags", Missing, ct),
            () => pets.RemoveFromAsync(Missing, "tags", 1, ct),
            () => pets.RemoveFromAsync(pet.Id, "tags", Missing, ct),
            () => pets.AddToAsync(pet.Id, "nothing", 1, ct),

            // Not ReplaceAsync(Missing, …): Sails 1.5.18's replace blueprint reads the missing parent's collection and
            // crashes the server process (docs/blueprints.md, "Server quirks").
        ];
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<SailsBlueprintException>(call);
            Assert.Equal((404, SailsBlueprintErrorKind.NotFound, (string?)null), (error.StatusCode, error.Kind, error.Code));
        }
    }

    [Fact]
    public async Task Values_the_request_sent_are_redacted_from_the_servers_details()
    {
        await using var socket = await ConnectAsync();
        var owners = socket.Resource("owner", ResourceJson.Default.OwnerRecord);
        const string Secret = "hunter2-secret-not-an-email";
        var error = await Assert.ThrowsAsync<SailsBlueprintException>(() => owners.CreateAsync(new NewOwner(Prefix(), Secret), ResourceJson.Default.NewOwner, Bound.Seconds(20)));

        // The server echoes the value ("Value ('…') was not a valid email address"); the raw body keeps it, the text does not.
        Assert.Contains(Secret, error.Response.Body.ToString(), StringComparison.Ordinal);
        Assert.Equal("E_INVALID_NEW_RECORD", error.Code);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Details, StringComparison.Ordinal);
        Assert.Contains("[redacted]", error.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_that_does_not_fit_the_type_fails_with_the_json_path_and_no_value()
    {
        var ct = Bound.Seconds(20);
        await using var socket = await ConnectAsync();
        var pets = socket.Resource("pet", ResourceJson.Default.PetRecord);
        var prefix = Prefix();
        await pets.CreateAsync(new NewPet(prefix + "-a", 11), ResourceJson.Default.NewPet, ct);
        var second = await pets.CreateAsync(new NewPet(prefix + "-b", 12), ResourceJson.Default.NewPet, ct);
        var wrong = socket.Resource("pet", ResourceJson.Default.WrongPet);

        var query = new SailsQuery { Where = SailsCriteria.StartsWith("name", prefix), Sort = [SailsSort.Ascending("age")] };
        var many = await Assert.ThrowsAsync<JsonException>(() => wrong.FindAsync(query, ct));
        Assert.Equal("$[0].age", many.Path);
        Assert.Contains("$[0].age", many.Message, StringComparison.Ordinal);
        Assert.Contains("WrongPet", many.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(prefix, many.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("11", many.Message, StringComparison.Ordinal);

        var one = await Assert.ThrowsAsync<JsonException>(() => wrong.FindOneAsync(second.Id, cancellationToken: ct));
        Assert.Equal("$.age", one.Path);

        // A populated association that the type models as a number.
        var owner = await socket.Resource("owner", ResourceJson.Default.OwnerRecord).CreateAsync(new NewOwner(prefix), ResourceJson.Default.NewOwner, ct);
        await pets.UpdateAsync(second.Id, new PetChange(Owner: owner.Id), ResourceJson.Default.PetChange, ct);
        var populated = await Assert.ThrowsAsync<JsonException>(() => socket.Resource("pet", ResourceJson.Default.FlatPet).FindOneAsync(second.Id, cancellationToken: ct));
        Assert.Equal("$.owner", populated.Path);
    }
}
