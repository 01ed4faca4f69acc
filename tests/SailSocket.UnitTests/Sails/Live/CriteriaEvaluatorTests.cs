using System;
using System.Text.Json;
using SailSocket.Live.Internal;
using Xunit;

namespace SailSocket.UnitTests.Sails.Live;

/// <summary>The client-side evaluator of the Waterline criteria subset, with the answers sails-disk (NeDB) gives.</summary>
public sealed class CriteriaEvaluatorTests
{
    private const string Rex = """{"id":1,"name":"Rex","species":"dog","age":4,"vip":true,"nick":null}""";

    [Theory]
    [InlineData("{}", "Yes")]
    [InlineData("""{"species":"dog"}""", "Yes")]
    [InlineData("""{"species":"cat"}""", "No")]
    [InlineData("""{"species":"Dog"}""", "No")]
    [InlineData("""{"age":4}""", "Yes")]
    [InlineData("""{"age":4.0}""", "Yes")]
    [InlineData("""{"age":"4"}""", "No")]
    [InlineData("""{"vip":true}""", "Yes")]
    [InlineData("""{"nick":null}""", "Yes")]
    [InlineData("""{"missing":null}""", "Yes")]
    [InlineData("""{"missing":"x"}""", "No")]
    [InlineData("""{"species":["cat","dog"]}""", "Yes")]
    [InlineData("""{"species":{"in":["cat","bird"]}}""", "No")]
    [InlineData("""{"species":{"nin":["cat","bird"]}}""", "Yes")]
    [InlineData("""{"species":{"nin":["dog"]}}""", "No")]
    [InlineData("""{"age":{">":3}}""", "Yes")]
    [InlineData("""{"age":{">":4}}""", "No")]
    [InlineData("""{"age":{">=":4,"<":5}}""", "Yes")]
    [InlineData("""{"age":{"<=":3}}""", "No")]
    [InlineData("""{"age":{">":"3"}}""", "No")]
    [InlineData("""{"name":{"<":"Rz"}}""", "Yes")]
    [InlineData("""{"name":{"<":"rex"}}""", "Yes")]
    [InlineData("""{"name":{"!=":"Rex"}}""", "No")]
    [InlineData("""{"name":{"!=":"Max"}}""", "Yes")]
    [InlineData("""{"name":{"contains":"e"}}""", "Yes")]
    [InlineData("""{"name":{"contains":"E"}}""", "No")]
    [InlineData("""{"name":{"startsWith":"Re"}}""", "Yes")]
    [InlineData("""{"name":{"endsWith":"ex"}}""", "Yes")]
    [InlineData("""{"name":{"endsWith":"Re"}}""", "No")]
    [InlineData("""{"age":{"contains":"4"}}""", "No")]
    [InlineData("""{"or":[{"species":"cat"},{"age":{">":3}}]}""", "Yes")]
    [InlineData("""{"or":[{"species":"cat"},{"age":{">":9}}]}""", "No")]
    [InlineData("""{"and":[{"species":"dog"},{"age":{">":9}}]}""", "No")]
    [InlineData("""{"and":[{"species":"dog"},{"or":[{"vip":true},{"age":1}]}]}""", "Yes")]
    [InlineData("""{"name":{"like":"R%"}}""", "Unknown")]
    [InlineData("""{"or":[{"species":"cat"},{"name":{"like":"R%"}}]}""", "Unknown")]
    [InlineData("""{"or":[{"species":"dog"},{"name":{"like":"R%"}}]}""", "Yes")]
    [InlineData("""{"species":"cat","name":{"like":"R%"}}""", "No")]
    public void Evaluates_like_the_server(string where, string expected)
    {
        using var criteria = JsonDocument.Parse(where);
        using var record = JsonDocument.Parse(Rex);
        Assert.Equal(Enum.Parse<CriteriaMatch>(expected), CriteriaEvaluator.Evaluate(criteria.RootElement, record.RootElement));
    }

    [Fact]
    public void A_populated_or_array_value_is_for_the_server_to_judge()
    {
        using var criteria = JsonDocument.Parse("""{"owner":3}""");
        using var record = JsonDocument.Parse("""{"id":1,"owner":{"id":3,"name":"Ann"}}""");
        Assert.Equal(CriteriaMatch.Unknown, CriteriaEvaluator.Evaluate(criteria.RootElement, record.RootElement));
    }

    [Fact]
    public void No_criteria_matches_everything()
    {
        using var record = JsonDocument.Parse(Rex);
        Assert.Equal(CriteriaMatch.Yes, CriteriaEvaluator.Evaluate(default, record.RootElement));
    }
}
