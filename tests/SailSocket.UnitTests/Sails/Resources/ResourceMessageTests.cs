using System;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SailSocket.Resources;
using Xunit;

namespace SailSocket.UnitTests.Sails.Resources;

public sealed record AgedPet(long Id, string Name, double Age);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AgedPet))]
internal sealed partial class UnitResourceJson : JsonSerializerContext;

/// <summary><see cref="SailsResourceMessage{T}"/> over the message shapes Sails 1.5.18 sends (captured from tests/sails-app).</summary>
public sealed class ResourceMessageTests
{
    private static SailsResourceMessage<AgedPet> Message(string json) =>
        new("pet", new SailsEvent("pet", Encoding.UTF8.GetBytes(json), []), UnitResourceJson.Default.AgedPet);

    [Fact]
    public void Created_carries_the_record()
    {
        var m = Message("""{"verb":"created","data":{"tags":[],"createdAt":1,"updatedAt":1,"id":3,"name":"new","species":"cat","age":2,"owner":null},"id":3}""");
        Assert.Equal((SailsResourceVerb.Created, SailsRecordId.FromNumber(3)), (m.Verb, m.Id));
        Assert.Equal(new AgedPet(3, "new", 2), m.ReadRecord());
        Assert.False(m.HasPrevious);
        Assert.True(m.Changes.IsEmpty);
        Assert.Throws<InvalidOperationException>(() => m.ReadPrevious());
        Assert.Equal("pet Created 3", m.ToString());
    }

    [Fact]
    public void Updated_carries_changes_and_previous()
    {
        var m = Message("""{"verb":"updated","data":{"age":5,"id":1,"updatedAt":2},"id":1,"previous":{"tags":[],"id":1,"name":"old","age":1,"owner":null}}""");
        Assert.Equal(SailsResourceVerb.Updated, m.Verb);
        Assert.Equal("""{"age":5,"id":1,"updatedAt":2}""", m.Changes.ToString());
        Assert.Equal(new AgedPet(1, "old", 1), m.ReadPrevious());
        Assert.Throws<InvalidOperationException>(() => m.ReadRecord());
        Assert.Equal(5, m.ReadChanges(UnitResourceJson.Default.AgedPet).Age);
    }

    [Fact]
    public void Destroyed_and_association_messages()
    {
        var destroyed = Message("""{"verb":"destroyed","id":"a1","previous":{"id":2,"name":"x","age":1}}""");
        Assert.Equal((SailsResourceVerb.Destroyed, SailsRecordId.FromString("a1")), (destroyed.Verb, destroyed.Id));
        Assert.Equal(2, destroyed.ReadPrevious().Id);

        var added = Message("""{"id":2,"verb":"addedTo","attribute":"tags","addedId":1}""");
        Assert.Equal((SailsResourceVerb.AddedTo, SailsRecordId.FromNumber(2), "tags", SailsRecordId.FromNumber(1)), (added.Verb, added.Id, added.Attribute, added.AssociatedId));
        Assert.Equal("pet AddedTo 2 tags 1", added.ToString());

        var removed = Message("""{"id":2,"verb":"removedFrom","attribute":"tags","removedId":"t9"}""");
        Assert.Equal((SailsResourceVerb.RemovedFrom, SailsRecordId.FromString("t9")), (removed.Verb, removed.AssociatedId));
    }

    [Theory]
    [InlineData("""{"hello":"world"}""")]
    [InlineData("""{"verb":"exploded","id":1}""")]
    [InlineData("""{"verb":7,"id":{"x":1}}""")]
    [InlineData("""[1,2]""")]
    [InlineData("\"text\"")]
    [InlineData("""{"verb":"destroyed","id":1,"previous":null}""")]
    public void Other_messages_are_unknown_or_partial_and_never_throw_on_arrival(string json)
    {
        var m = Message(json);
        Assert.False(m.HasPrevious);
        Assert.NotEqual(SailsResourceVerb.Created, m.Verb);
        Assert.NotNull(m.Event);
    }

    [Fact]
    public void A_record_that_does_not_fit_fails_on_read_with_its_path()
    {
        var m = Message("""{"verb":"created","data":{"id":3,"name":"n","age":"old"},"id":3}""");
        Assert.Equal(SailsResourceVerb.Created, m.Verb);
        var error = Assert.Throws<JsonException>(() => m.ReadRecord());
        Assert.Equal("$.data.age", error.Path);
        Assert.DoesNotContain("old", error.Message, StringComparison.Ordinal);
    }
}
