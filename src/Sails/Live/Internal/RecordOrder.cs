using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SailSocket.Live.Internal;

/// <summary>
/// A query's sort, always ending with the primary key so that the order is total (the collection sends the same
/// clauses to the server). Compares the way NeDB does for the values it models: missing &lt; null &lt; numbers &lt;
/// strings (ordinal) &lt; booleans.
/// </summary>
internal sealed class RecordOrder
{
    private readonly (string Attribute, bool Descending)[] _clauses;

    public RecordOrder(IReadOnlyList<(string Attribute, bool Descending)> clauses, string primaryKey)
    {
        var list = new List<(string, bool)>(clauses);
        if (!list.Exists(c => c.Item1 == primaryKey))
        {
            list.Add((primaryKey, false));
        }

        _clauses = list.ToArray();
    }

    /// <summary>The clauses, primary key included, in order.</summary>
    public IReadOnlyList<(string Attribute, bool Descending)> Clauses => _clauses;

    /// <summary>Parses <c>"name ASC, age DESC"</c>; an attribute alone sorts ascending.</summary>
    /// <exception cref="ArgumentException">A clause is empty or its direction is neither ASC nor DESC.</exception>
    public static List<(string Attribute, bool Descending)> Parse(string? sort)
    {
        var clauses = new List<(string, bool)>();
        if (string.IsNullOrWhiteSpace(sort))
        {
            return clauses;
        }

        foreach (var part in sort.Split(',', StringSplitOptions.TrimEntries))
        {
            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length is 0 or > 2)
            {
                throw new ArgumentException($"The sort clause '{part}' is not 'attribute [ASC|DESC]'.", nameof(sort));
            }

            var descending = words.Length == 2 && (words[1].Equals("DESC", StringComparison.OrdinalIgnoreCase) ? true
                : words[1].Equals("ASC", StringComparison.OrdinalIgnoreCase) ? false
                : throw new ArgumentException($"The sort direction '{words[1]}' is neither ASC nor DESC.", nameof(sort)));
            clauses.Add((words[0], descending));
        }

        return clauses;
    }

    /// <summary>Compares two records; <see langword="null"/> when a sort value is an array or object (the server decides).</summary>
    public int? Compare(JsonElement a, JsonElement b)
    {
        foreach (var (attribute, descending) in _clauses)
        {
            var left = a.TryGetProperty(attribute, out var x) ? x : default;
            var right = b.TryGetProperty(attribute, out var y) ? y : default;
            var c = CompareValues(left, right);
            if (c is null)
            {
                return null;
            }

            if (c.Value != 0)
            {
                return descending ? -c.Value : c.Value;
            }
        }

        return 0;
    }

    /// <summary>Whether the sort attributes of two versions of a record are equal (so it keeps its place).</summary>
    public bool SameSortValues(JsonElement a, JsonElement b)
    {
        foreach (var (attribute, _) in _clauses)
        {
            var left = a.TryGetProperty(attribute, out var x) ? x : default;
            var right = b.TryGetProperty(attribute, out var y) ? y : default;
            if (CompareValues(left, right) is not 0)
            {
                return false;
            }
        }

        return true;
    }

    private static int? CompareValues(JsonElement a, JsonElement b)
    {
        var rankA = Rank(a);
        var rankB = Rank(b);
        if (rankA < 0 || rankB < 0)
        {
            return null;
        }

        if (rankA != rankB)
        {
            return rankA.CompareTo(rankB);
        }

        return a.ValueKind switch
        {
            JsonValueKind.Number => a.GetDouble().CompareTo(b.GetDouble()),
            JsonValueKind.String => Math.Sign(string.CompareOrdinal(a.GetString(), b.GetString())),
            JsonValueKind.True or JsonValueKind.False => (a.ValueKind == JsonValueKind.True).CompareTo(b.ValueKind == JsonValueKind.True),
            _ => 0,
        };
    }

    private static int Rank(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => 0,
        JsonValueKind.Null => 1,
        JsonValueKind.Number => 2,
        JsonValueKind.String => 3,
        JsonValueKind.True or JsonValueKind.False => 4,
        _ => -1,
    };
}
