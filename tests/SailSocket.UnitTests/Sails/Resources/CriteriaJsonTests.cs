using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using SailSocket.Resources;
using Xunit;

namespace SailSocket.UnitTests.Sails.Resources;

/// <summary><see cref="SailsCriteria"/>: the exact Waterline JSON of every operator, and names and values that cannot become criteria.</summary>
public sealed class CriteriaJsonTests
{
    internal static string Json(SailsCriteria criteria)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            criteria.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static TheoryData<string, string> Operators() => new()
    {
        { Json(SailsCriteria.Equal("name", "Rex")), """{"name":"Rex"}""" },
        { Json(SailsCriteria.Equal("owner", SailsValue.Null)), """{"owner":null}""" },
        { Json(SailsCriteria.Equal("alive", true)), """{"alive":true}""" },
        { Json(SailsCriteria.Equal("id", SailsRecordId.FromString("64f0c0ffee"))), """{"id":"64f0c0ffee"}""" },
        { Json(SailsCriteria.NotEqual("name", "Rex")), """{"name":{"!=":"Rex"}}""" },
        { Json(SailsCriteria.LessThan("age", 3)), """{"age":{"\u003C":3}}""" },
        { Json(SailsCriteria.LessThanOrEqual("age", 3.5)), """{"age":{"\u003C=":3.5}}""" },
        { Json(SailsCriteria.GreaterThan("age", 3L)), """{"age":{"\u003E":3}}""" },
        { Json(SailsCriteria.GreaterThanOrEqual("price", 9.99m)), """{"price":{"\u003E=":9.99}}""" },
        { Json(SailsCriteria.Contains("name", "ex")), """{"name":{"contains":"ex"}}""" },
        { Json(SailsCriteria.StartsWith("name", "R")), """{"name":{"startsWith":"R"}}""" },
        { Json(SailsCriteria.EndsWith("name", "x")), """{"name":{"endsWith":"x"}}""" },
        { Json(SailsCriteria.In("id", [1, 2, "three"])), """{"id":{"in":[1,2,"three"]}}""" },
        { Json(SailsCriteria.NotIn("id", [])), """{"id":{"nin":[]}}""" },
        {
            Json(SailsCriteria.Or(SailsCriteria.Equal("a", 1), SailsCriteria.And(SailsCriteria.Equal("b", 2), SailsCriteria.Equal("c", 3)))),
            """{"or":[{"a":1},{"and":[{"b":2},{"c":3}]}]}"""
        },
    };

    [Theory]
    [MemberData(nameof(Operators))]
    public void Each_operator_writes_the_waterline_shape(string actual, string expected) => Assert.Equal(expected, actual);

    [Theory]
    [InlineData("\"}, \"or\": [{\"id\": {\"!=\": 0}}], \"x\": {\"")]
    [InlineData("x\", \"name\": {\"!=\": \"y\"}, \"species\": \"")]
    [InlineData("{\"!=\": null}")]
    [InlineData("\\\"")]
    [InlineData("\u0000\u001f\u2028</script>")]
    public void A_hostile_value_stays_one_string_value(string hostile)
    {
        foreach (var criteria in new[] { SailsCriteria.Equal("name", hostile), SailsCriteria.Contains("name", hostile), SailsCriteria.In("name", [hostile]) })
        {
            using var document = JsonDocument.Parse(Json(criteria));
            var root = document.RootElement;
            var property = Assert.Single(root.EnumerateObject());
            Assert.Equal("name", property.Name);
            var value = property.Value.ValueKind == JsonValueKind.Object ? Assert.Single(property.Value.EnumerateObject()).Value : property.Value;
            value = value.ValueKind == JsonValueKind.Array ? Assert.Single(value.EnumerateArray()) : value;
            Assert.Equal(hostile, value.GetString());
        }
    }

    [Theory]
    [InlineData("or")]
    [InlineData("and")]
    [InlineData("")]
    [InlineData("1st")]
    [InlineData("name,age")]
    [InlineData("name age")]
    [InlineData("owner.name")]
    [InlineData("a\"b")]
    [InlineData("{\"!=\":0}")]
    public void A_name_that_is_not_an_attribute_is_refused_without_repeating_it(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => SailsCriteria.Equal(name, 1));
        Assert.Equal("attribute", error.ParamName);
        if (name.Length > 3)
        {
            Assert.DoesNotContain(name, error.Message, StringComparison.Ordinal);
        }

        Assert.Throws<ArgumentException>(() => new SailsSort(name));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("_id")]
    [InlineData("$x")]
    [InlineData("createdAt")]
    [InlineData("orange")]
    public void Identifiers_are_attribute_names(string name) => Assert.Equal($"{{\"{name}\":1}}", Json(SailsCriteria.Equal(name, 1)));

    [Fact]
    public void Combinations_need_a_clause_and_are_bounded_in_depth()
    {
        Assert.Throws<ArgumentException>(() => SailsCriteria.And());
        Assert.Throws<ArgumentNullException>(() => SailsCriteria.Or(SailsCriteria.Equal("a", 1), null!));
        var deep = SailsCriteria.Equal("a", 1);
        for (var i = 1; i < SailsCriteria.MaxDepth; i++)
        {
            deep = SailsCriteria.And(deep);
        }

        Assert.Throws<ArgumentException>(() => SailsCriteria.Or(deep));
        Assert.Throws<ArgumentException>(() => SailsCriteria.Contains("name", ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => SailsCriteria.Equal("age", double.NaN));
    }

    [Fact]
    public void Values_describe_their_kind_never_their_content()
    {
        Assert.Equal("string", ((SailsValue)"hunter2").ToString());
        Assert.Equal("number", ((SailsValue)42).ToString());
        Assert.Equal("null", SailsValue.Null.ToString());
        Assert.True(((SailsValue)(string?)null).IsNull);
    }

    [Fact]
    public void Record_ids_tell_zero_from_none_and_escape_as_one_path_segment()
    {
        Assert.True(default(SailsRecordId).IsDefault);
        SailsRecordId zero = 0;
        Assert.False(zero.IsDefault);
        Assert.True(zero.IsNumber);
        Assert.NotEqual(default, zero);
        Assert.Equal("0", zero.ToString());
        Assert.Equal(SailsRecordId.FromNumber(7), (SailsRecordId)7L);
        Assert.NotEqual((SailsRecordId)"7", (SailsRecordId)7);
        Assert.Equal("/pet/a%2Fb%3Fc%23d", BlueprintUrl.Record("pet", "a/b?c#d"));
        Assert.Throws<ArgumentException>(() => BlueprintUrl.Record("pet", default));
        Assert.Throws<ArgumentException>(() => new SailsRecordId(""));
        Assert.True(SailsRecordId.TryRead(JsonDocument.Parse("12").RootElement, out var n) && n == 12);
        Assert.True(SailsRecordId.TryRead(JsonDocument.Parse("\"ab\"").RootElement, out var s) && s == "ab");
        Assert.False(SailsRecordId.TryRead(JsonDocument.Parse("1.5").RootElement, out _));
        Assert.False(SailsRecordId.TryRead(JsonDocument.Parse("{}").RootElement, out _));
    }

    [Fact]
    public void Strings_of_the_criteria_are_collected_for_redaction()
    {
        var strings = new List<KeyValuePair<string, string>>();
        SailsCriteria.Or(SailsCriteria.Equal("token", "s3cret"), SailsCriteria.In("name", ["a", 1, "b"]), SailsCriteria.GreaterThan("age", 3)).CollectStrings(strings);
        Assert.Equal(["s3cret", "a", "b"], strings.ConvertAll(p => p.Value));
    }
}
