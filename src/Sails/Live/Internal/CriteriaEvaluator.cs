using System;
using System.Text.Json;

namespace SailSocket.Live.Internal;

/// <summary>
/// Evaluates the Waterline <c>where</c> subset a live query uses against one record, the way sails-disk (NeDB) does:
/// equality, <c>in</c>/<c>nin</c> (and the array shorthand for <c>in</c>), <c>&lt;</c> <c>&lt;=</c> <c>&gt;</c>
/// <c>&gt;=</c> <c>!=</c>, <c>contains</c>/<c>startsWith</c>/<c>endsWith</c> (case-sensitive, ordinal), <c>and</c>/<c>or</c>.
/// Anything else answers <see cref="CriteriaMatch.Unknown"/>, and the collection asks the server (docs/live-collections.md).
/// </summary>
/// <remarks>Pure: no state, no allocation beyond what <see cref="JsonElement"/> reads need.</remarks>
internal static class CriteriaEvaluator
{
    /// <summary>Evaluates <paramref name="where"/> (an object, or undefined for "everything") against <paramref name="record"/>.</summary>
    public static CriteriaMatch Evaluate(JsonElement where, JsonElement record)
    {
        if (where.ValueKind == JsonValueKind.Undefined || where.ValueKind == JsonValueKind.Null)
        {
            return CriteriaMatch.Yes;
        }

        if (where.ValueKind != JsonValueKind.Object || record.ValueKind != JsonValueKind.Object)
        {
            return CriteriaMatch.Unknown;
        }

        var result = CriteriaMatch.Yes;
        foreach (var clause in where.EnumerateObject())
        {
            var match = clause.NameEquals("and") ? All(clause.Value, record)
                : clause.NameEquals("or") ? Any(clause.Value, record)
                : Attribute(clause.Value, record.TryGetProperty(clause.Name, out var value) ? value : default);
            result = And(result, match);
            if (result == CriteriaMatch.No)
            {
                return result;
            }
        }

        return result;
    }

    private static CriteriaMatch All(JsonElement branches, JsonElement record)
    {
        if (branches.ValueKind != JsonValueKind.Array)
        {
            return CriteriaMatch.Unknown;
        }

        var result = CriteriaMatch.Yes;
        foreach (var branch in branches.EnumerateArray())
        {
            result = And(result, Evaluate(branch, record));
            if (result == CriteriaMatch.No)
            {
                return result;
            }
        }

        return result;
    }

    private static CriteriaMatch Any(JsonElement branches, JsonElement record)
    {
        if (branches.ValueKind != JsonValueKind.Array)
        {
            return CriteriaMatch.Unknown;
        }

        var result = CriteriaMatch.No;
        foreach (var branch in branches.EnumerateArray())
        {
            var match = Evaluate(branch, record);
            if (match == CriteriaMatch.Yes)
            {
                return match;
            }

            if (match == CriteriaMatch.Unknown)
            {
                result = match;
            }
        }

        return result;
    }

    private static CriteriaMatch And(CriteriaMatch left, CriteriaMatch right) =>
        left == CriteriaMatch.No || right == CriteriaMatch.No ? CriteriaMatch.No
        : left == CriteriaMatch.Unknown || right == CriteriaMatch.Unknown ? CriteriaMatch.Unknown
        : CriteriaMatch.Yes;

    private static CriteriaMatch Of(bool value) => value ? CriteriaMatch.Yes : CriteriaMatch.No;

    /// <summary>One attribute's constraint; <paramref name="value"/> is undefined when the record lacks the attribute.</summary>
    private static CriteriaMatch Attribute(JsonElement constraint, JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
        {
            // NeDB matches an array when any element matches, and a populated association is not what the server
            // filters on: neither is modelled here.
            return CriteriaMatch.Unknown;
        }

        switch (constraint.ValueKind)
        {
            case JsonValueKind.Array:
                return In(constraint, value);
            case JsonValueKind.Object:
                var result = CriteriaMatch.Yes;
                foreach (var modifier in constraint.EnumerateObject())
                {
                    result = And(result, Modifier(modifier, value));
                    if (result == CriteriaMatch.No)
                    {
                        return result;
                    }
                }

                return result;
            default:
                return Of(ScalarEquals(constraint, value));
        }
    }

    private static CriteriaMatch Modifier(JsonProperty modifier, JsonElement value)
    {
        var operand = modifier.Value;
        switch (modifier.Name)
        {
            case "in":
                return In(operand, value);
            case "nin":
                var isIn = In(operand, value);
                return isIn == CriteriaMatch.Unknown ? isIn : Of(isIn == CriteriaMatch.No);
            case "!=":
                return operand.ValueKind is JsonValueKind.Array or JsonValueKind.Object ? CriteriaMatch.Unknown : Of(!ScalarEquals(operand, value));
            case "<":
                return Compare(operand, value, c => c < 0);
            case "<=":
                return Compare(operand, value, c => c <= 0);
            case ">":
                return Compare(operand, value, c => c > 0);
            case ">=":
                return Compare(operand, value, c => c >= 0);
            case "contains":
                return Text(operand, value, static (v, o) => v.Contains(o, StringComparison.Ordinal));
            case "startsWith":
                return Text(operand, value, static (v, o) => v.StartsWith(o, StringComparison.Ordinal));
            case "endsWith":
                return Text(operand, value, static (v, o) => v.EndsWith(o, StringComparison.Ordinal));
            default:
                // `like` (adapter-specific case rules) and anything newer: the server decides.
                return CriteriaMatch.Unknown;
        }
    }

    private static CriteriaMatch In(JsonElement list, JsonElement value)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            return CriteriaMatch.Unknown;
        }

        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
            {
                return CriteriaMatch.Unknown;
            }

            if (ScalarEquals(item, value))
            {
                return CriteriaMatch.Yes;
            }
        }

        return CriteriaMatch.No;
    }

    /// <summary>NeDB compares only numbers with numbers and strings with strings; any other pair does not match.</summary>
    private static CriteriaMatch Compare(JsonElement operand, JsonElement value, Func<int, bool> accept)
    {
        if (operand.ValueKind == JsonValueKind.Number && value.ValueKind == JsonValueKind.Number)
        {
            return Of(accept(value.GetDouble().CompareTo(operand.GetDouble())));
        }

        if (operand.ValueKind == JsonValueKind.String && value.ValueKind == JsonValueKind.String)
        {
            return Of(accept(string.CompareOrdinal(value.GetString(), operand.GetString())));
        }

        return operand.ValueKind is JsonValueKind.Array or JsonValueKind.Object ? CriteriaMatch.Unknown : CriteriaMatch.No;
    }

    private static CriteriaMatch Text(JsonElement operand, JsonElement value, Func<string, string, bool> test)
    {
        if (operand.ValueKind != JsonValueKind.String)
        {
            return CriteriaMatch.Unknown;
        }

        return value.ValueKind == JsonValueKind.String ? Of(test(value.GetString()!, operand.GetString()!)) : CriteriaMatch.No;
    }

    /// <summary>Scalar equality; a missing attribute equals <c>null</c>.</summary>
    internal static bool ScalarEquals(JsonElement a, JsonElement b)
    {
        var aKind = a.ValueKind == JsonValueKind.Undefined ? JsonValueKind.Null : a.ValueKind;
        var bKind = b.ValueKind == JsonValueKind.Undefined ? JsonValueKind.Null : b.ValueKind;
        if ((aKind is JsonValueKind.True or JsonValueKind.False) && (bKind is JsonValueKind.True or JsonValueKind.False))
        {
            return aKind == bKind;
        }

        if (aKind != bKind)
        {
            return false;
        }

        return aKind switch
        {
            JsonValueKind.Null => true,
            JsonValueKind.Number => a.GetDouble() == b.GetDouble(),
            JsonValueKind.String => a.ValueEquals(b.GetString()),
            _ => false,
        };
    }
}
