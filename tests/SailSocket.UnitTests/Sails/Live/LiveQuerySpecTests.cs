using System;
using SailSocket.Live;
using SailSocket.Live.Internal;
using SailSocket.Resources;
using Xunit;

namespace SailSocket.UnitTests.Sails.Live;

/// <summary>The finds a live query sends: criteria as URL-encoded JSON, a total sort, the limit, the subscribing finds.</summary>
public sealed class LiveQuerySpecTests
{
    [Fact]
    public void The_data_find_carries_the_criteria_as_json_and_a_total_sort()
    {
        var spec = new LiveQuerySpec(new LiveQuery("pet") { Where = LiveTestRecords.Json("""{"name":"a&b=c"}"""), Sort = "age DESC", Skip = 2, Limit = 5 }, 10_000);
        Assert.Equal("/pet?where=%7B%22name%22%3A%22a%26b%3Dc%22%7D&sort=%5B%7B%22age%22%3A%22DESC%22%7D%2C%7B%22id%22%3A%22ASC%22%7D%5D&skip=2&limit=5", spec.DataUrl);
        Assert.True(spec.HasWindow);
        Assert.True(spec.NeedsSubscribeAll);
        Assert.Equal("/pet?limit=10000&populate=false", spec.SubscribeUrl);
    }

    [Fact]
    public void An_unfiltered_query_takes_every_record_up_to_the_maximum_and_subscribes_through_its_own_find()
    {
        var spec = new LiveQuerySpec(new LiveQuery("owner") { Populate = false, RefetchOn = ["pet"] }, 500);
        Assert.Equal("/owner?sort=%5B%7B%22id%22%3A%22ASC%22%7D%5D&limit=500&populate=false", spec.DataUrl);
        Assert.False(spec.NeedsSubscribeAll);
        Assert.Equal(("pet", "/pet?limit=500&populate=false"), Assert.Single(spec.Dependencies));
    }

    [Fact]
    public void A_resource_query_becomes_the_same_live_query_and_user_text_stays_a_value()
    {
        var hostile = """x"},"or":[{"id":{"!=":0}}],"a":{"b":"c""";
        var query = SailsResourceLiveExtensions.ToLiveQuery("pet", new SailsQuery
        {
            Where = SailsCriteria.And(SailsCriteria.Equal("name", hostile), SailsCriteria.GreaterThan("age", 3)),
            Sort = [SailsSort.DescendingBy("age"), SailsSort.Ascending("name")],
            Limit = 4,
        });
        Assert.Equal("age DESC, name ASC", query.Sort);
        Assert.Equal(4, query.Limit);
        Assert.Equal(hostile, query.Where!.Value.GetProperty("and")[0].GetProperty("name").GetString());
        Assert.Throws<ArgumentException>(() => SailsResourceLiveExtensions.ToLiveQuery("pet", new SailsQuery { Select = ["name"] }));
        Assert.False(SailsResourceLiveExtensions.ToLiveQuery("pet", new SailsQuery { Populate = [] }).Populate);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("[]")]
    [InlineData("\"name\"")]
    public void A_where_that_is_not_an_object_is_refused(string where)
    {
        Assert.Throws<ArgumentException>(() => new LiveQuerySpec(new LiveQuery("pet") { Where = LiveTestRecords.Json(where) }, 10));
    }

    [Fact]
    public void Bad_identities_sorts_and_windows_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new LiveQuery("pet?x=1"));
        Assert.Throws<ArgumentException>(() => new LiveQuerySpec(new LiveQuery("pet") { Sort = "age SIDEWAYS" }, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LiveQuerySpec(new LiveQuery("pet") { Limit = 0 }, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LiveQuerySpec(new LiveQuery("pet") { Skip = -1 }, 10));
        Assert.Throws<ArgumentException>(() => new LiveQuerySpec(new LiveQuery("pet") { RefetchOn = ["a/b"] }, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LiveCollectionOptions { RefetchDelay = TimeSpan.FromSeconds(-1) }.Validate());
    }
}
