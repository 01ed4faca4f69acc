using System;
using System.Text.Json;
using System.Web;
using SailSocket.Resources;
using Xunit;

namespace SailSocket.UnitTests.Sails.Resources;

/// <summary><see cref="BlueprintUrl"/>: the blueprint routes and a find's query string, each part escaped whole.</summary>
public sealed class BlueprintUrlTests
{
    [Fact]
    public void Routes_follow_the_sails_1_rest_blueprints()
    {
        Assert.Equal("/pet", BlueprintUrl.Find("pet", null));
        Assert.Equal("/pet", BlueprintUrl.Find("pet", new SailsQuery()));
        Assert.Equal("/pet/7", BlueprintUrl.Record("pet", 7));
        Assert.Equal("/pet/7/tags", BlueprintUrl.Association("pet", 7, "tags"));
        Assert.Equal("/pet/7/tags/3", BlueprintUrl.AssociationMember("pet", 7, "tags", 3));
        Assert.Throws<ArgumentException>(() => BlueprintUrl.Association("pet", 7, "tags/../x"));
    }

    [Fact]
    public void Every_part_of_a_query_is_written_and_escaped()
    {
        var query = new SailsQuery
        {
            Where = SailsCriteria.And(SailsCriteria.GreaterThanOrEqual("age", 3), SailsCriteria.Equal("name", "a&b=c#d+e%f é")),
            Sort = [SailsSort.Ascending("name"), SailsSort.DescendingBy("age")],
            Limit = 10,
            Skip = 20,
            Select = ["name", "age"],
            Populate = ["owner", "tags"],
        };
        var url = BlueprintUrl.Find("pet", query);
        Assert.Equal(
            "/pet?where=%7B%22and%22%3A%5B%7B%22age%22%3A%7B%22%3E%3D%22%3A3%7D%7D%2C%7B%22name%22%3A%22a%26b%3Dc%23d%2Be%25f%20%C3%A9%22%7D%5D%7D"
            + "&sort=%5B%7B%22name%22%3A%22ASC%22%7D%2C%7B%22age%22%3A%22DESC%22%7D%5D&limit=10&skip=20&select=name%2Cage&populate=owner%2Ctags",
            url);

        // What the server's query parser sees: each parameter whole, the where JSON with the value intact.
        var parameters = HttpUtility.ParseQueryString(new Uri("http://h" + url).Query);
        Assert.Equal("where,sort,limit,skip,select,populate", string.Join(",", parameters.AllKeys));
        using var where = JsonDocument.Parse(parameters["where"]!);
        Assert.Equal("a&b=c#d+e%f é", where.RootElement.GetProperty("and")[1].GetProperty("name").GetString());
    }

    [Fact]
    public void Omit_and_no_population()
    {
        Assert.Equal("/pet?omit=species%2Cage&populate=false", BlueprintUrl.Find("pet", new SailsQuery { Omit = ["species", "age"], Populate = [] }));
        Assert.Equal("/pet/5?populate=owner", BlueprintUrl.Record("pet", 5, new SailsQuery { Populate = ["owner"] }));
    }

    public static TheoryData<SailsQuery> Invalid() =>
    [
        new SailsQuery { Select = ["a"], Omit = ["b"] },
        new SailsQuery { Select = [] },
        new SailsQuery { Select = ["a,b"] },
        new SailsQuery { Omit = ["a b"] },
        new SailsQuery { Populate = ["owner", "x&limit=1"] },
        new SailsQuery { Limit = -1 },
        new SailsQuery { Skip = -1 },
        new SailsQuery { Sort = [default] },
    ];

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_queries_are_refused_before_anything_is_sent(SailsQuery query) =>
        Assert.Throws<ArgumentException>(() => BlueprintUrl.Find("pet", query));

    [Fact]
    public void Finding_one_takes_only_select_omit_and_populate()
    {
        Assert.Throws<ArgumentException>(() => BlueprintUrl.Record("pet", 1, new SailsQuery { Where = SailsCriteria.Equal("a", 1) }));
        Assert.Throws<ArgumentException>(() => BlueprintUrl.Record("pet", 1, new SailsQuery { Limit = 1 }));
    }

    [Theory]
    [InlineData("Pet")]
    [InlineData("")]
    [InlineData("pet/1")]
    [InlineData("pet?where={}")]
    [InlineData("../csrfToken")]
    public void A_model_identity_is_lower_case_letters_digits_and_dashes(string model) =>
        Assert.Throws<ArgumentException>(() => BlueprintUrl.CheckModel(model));
}
