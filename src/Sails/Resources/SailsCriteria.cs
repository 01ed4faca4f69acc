using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SailSocket.Resources;

/// <summary>
/// A Waterline <c>where</c> clause, built from constraints and combined with <see cref="And(SailsCriteria[])"/> and
/// <see cref="Or(SailsCriteria[])"/>; written as JSON by <see cref="Utf8JsonWriter"/>, never by concatenating text.
/// </summary>
/// <remarks>
/// <para>Each constraint is written as an object of its own (<c>{"age":{"&gt;":3}}</c>) and combinations as
/// <c>{"and":[…]}</c> / <c>{"or":[…]}</c>, so no two constraints ever share a key. Values are <see cref="SailsValue"/>s,
/// always written as JSON values: a string such as <c>"}, "or": [{"id": {"!=": 0}}]</c> is just that string.</para>
/// <para>Attribute names are checked (<see cref="CheckAttributeName"/>): a JavaScript identifier that is not a Waterline
/// keyword (<c>or</c>, <c>and</c>), so an attribute name cannot turn into an operator either. Immutable; safe to share.</para>
/// <example><code>
/// var adults = SailsCriteria.And(SailsCriteria.GreaterThanOrEqual("age", 18), SailsCriteria.StartsWith("name", userText));
/// </code></example>
/// </remarks>
public sealed class SailsCriteria
{
    /// <summary>The deepest nesting of <c>and</c>/<c>or</c> accepted: 32 (Waterline recurses; so does the writer).</summary>
    public const int MaxDepth = 32;

    private readonly string _key;
    private readonly string? _modifier;
    private readonly SailsValue _value;
    private readonly SailsValue[]? _values;
    private readonly SailsCriteria[]? _children;

    private SailsCriteria(string key, string? modifier, SailsValue value, SailsValue[]? values, SailsCriteria[]? children, int depth)
    {
        _key = key;
        _modifier = modifier;
        _value = value;
        _values = values;
        _children = children;
        Depth = depth;
    }

    /// <summary>How deeply <c>and</c>/<c>or</c> nest in this clause (1 for a single constraint).</summary>
    internal int Depth { get; }

    /// <summary><c>attribute = value</c> (<c>{"name":"Rex"}</c>).</summary>
    /// <param name="attribute">The attribute name.</param>
    /// <param name="value">The value.</param>
    /// <returns>The constraint.</returns>
    /// <exception cref="ArgumentException"><paramref name="attribute"/> is not a valid attribute name.</exception>
    public static SailsCriteria Equal(string attribute, SailsValue value) => Constraint(attribute, null, value);

    /// <summary><c>attribute != value</c> (<c>{"name":{"!=":"Rex"}}</c>).</summary>
    /// <inheritdoc cref="Equal(string, SailsValue)"/>
    public static SailsCriteria NotEqual(string attribute, SailsValue value) => Constraint(attribute, "!=", value);

    /// <summary><c>attribute &lt; value</c>.</summary>
    /// <inheritdoc cref="Equal(string, SailsValue)"/>
    public static SailsCriteria LessThan(string attribute, SailsValue value) => Constraint(attribute, "<", value);

    /// <summary><c>attribute &lt;= value</c>.</summary>
    /// <inheritdoc cref="Equal(string, SailsValue)"/>
    public static SailsCriteria LessThanOrEqual(string attribute, SailsValue value) => Constraint(attribute, "<=", value);

    /// <summary><c>attribute &gt; value</c>.</summary>
    /// <inheritdoc cref="Equal(string, SailsValue)"/>
    public static SailsCriteria GreaterThan(string attribute, SailsValue value) => Constraint(attribute, ">", value);

    /// <summary><c>attribute &gt;= value</c>.</summary>
    /// <inheritdoc cref="Equal(string, SailsValue)"/>
    public static SailsCriteria GreaterThanOrEqual(string attribute, SailsValue value) => Constraint(attribute, ">=", value);

    /// <summary>The string attribute contains <paramref name="text"/> (Waterline escapes <c>%</c> in it).</summary>
    /// <param name="attribute">The attribute name.</param>
    /// <param name="text">The text; not empty (Waterline refuses an empty search).</param>
    /// <returns>The constraint.</returns>
    /// <exception cref="ArgumentException"><paramref name="attribute"/> is not a valid attribute name, or <paramref name="text"/> is empty.</exception>
    public static SailsCriteria Contains(string attribute, string text) => Search(attribute, "contains", text);

    /// <summary>The string attribute starts with <paramref name="text"/>.</summary>
    /// <inheritdoc cref="Contains(string, string)"/>
    public static SailsCriteria StartsWith(string attribute, string text) => Search(attribute, "startsWith", text);

    /// <summary>The string attribute ends with <paramref name="text"/>.</summary>
    /// <inheritdoc cref="Contains(string, string)"/>
    public static SailsCriteria EndsWith(string attribute, string text) => Search(attribute, "endsWith", text);

    /// <summary>The attribute is one of <paramref name="values"/> (<c>{"id":{"in":[1,2]}}</c>).</summary>
    /// <param name="attribute">The attribute name.</param>
    /// <param name="values">The values; an empty set matches nothing.</param>
    /// <returns>The constraint.</returns>
    /// <exception cref="ArgumentException"><paramref name="attribute"/> is not a valid attribute name.</exception>
    public static SailsCriteria In(string attribute, IEnumerable<SailsValue> values) => Set(attribute, "in", values);

    /// <summary>The attribute is none of <paramref name="values"/> (<c>nin</c>).</summary>
    /// <inheritdoc cref="In(string, IEnumerable{SailsValue})"/>
    public static SailsCriteria NotIn(string attribute, IEnumerable<SailsValue> values) => Set(attribute, "nin", values);

    /// <summary>Every clause matches (<c>{"and":[…]}</c>).</summary>
    /// <param name="clauses">At least one clause.</param>
    /// <returns>The combination.</returns>
    /// <exception cref="ArgumentException">No clause, a null one, or nesting deeper than <see cref="MaxDepth"/>.</exception>
    public static SailsCriteria And(params SailsCriteria[] clauses) => Combine("and", clauses);

    /// <summary>At least one clause matches (<c>{"or":[…]}</c>).</summary>
    /// <inheritdoc cref="And(SailsCriteria[])"/>
    public static SailsCriteria Or(params SailsCriteria[] clauses) => Combine("or", clauses);

    /// <summary>Checks an attribute name: a JavaScript identifier (letters, digits, <c>_</c>, <c>$</c>; not starting
    /// with a digit), at most 128 characters, and not a Waterline keyword (<c>or</c>, <c>and</c>).</summary>
    /// <param name="attribute">The name.</param>
    /// <param name="parameterName">The parameter named in the exception.</param>
    /// <exception cref="ArgumentException">The name is not valid; the message does not repeat it.</exception>
    public static void CheckAttributeName(string attribute, string parameterName = "attribute")
    {
        ArgumentNullException.ThrowIfNull(attribute, parameterName);
        if (!IsAttributeName(attribute))
        {
            throw new ArgumentException("An attribute name must be a JavaScript identifier of at most 128 characters (letters, digits, '_', '$'; not starting with a digit) and not a Waterline keyword ('or', 'and').", parameterName);
        }
    }

    /// <summary>Writes the clause as one JSON object.</summary>
    /// <param name="writer">The writer.</param>
    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        if (_children is not null)
        {
            writer.WriteStartArray(_key);
            foreach (var child in _children)
            {
                child.WriteTo(writer);
            }

            writer.WriteEndArray();
        }
        else if (_modifier is null)
        {
            writer.WritePropertyName(_key);
            _value.WriteTo(writer);
        }
        else
        {
            writer.WriteStartObject(_key);
            writer.WritePropertyName(_modifier);
            if (_values is not null)
            {
                writer.WriteStartArray();
                foreach (var value in _values)
                {
                    value.WriteTo(writer);
                }

                writer.WriteEndArray();
            }
            else
            {
                _value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>Collects the string values of the clause (to redact them from server errors).</summary>
    /// <param name="into">Where to add them.</param>
    internal void CollectStrings(List<KeyValuePair<string, string>> into)
    {
        if (_children is not null)
        {
            foreach (var child in _children)
            {
                child.CollectStrings(into);
            }
        }
        else if (_values is not null)
        {
            foreach (var value in _values)
            {
                if (value.StringValue is { } text)
                {
                    into.Add(new(_key, text));
                }
            }
        }
        else if (_value.StringValue is { } text)
        {
            into.Add(new(_key, text));
        }
    }

    internal static bool IsAttributeName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 128 || char.IsAsciiDigit(name[0]) || name is "or" or "and")
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '$')
            {
                return false;
            }
        }

        return true;
    }

    private static SailsCriteria Constraint(string attribute, string? modifier, SailsValue value)
    {
        CheckAttributeName(attribute);
        return new(attribute, modifier, value, null, null, 1);
    }

    private static SailsCriteria Search(string attribute, string modifier, string text)
    {
        CheckAttributeName(attribute);
        ArgumentException.ThrowIfNullOrEmpty(text);
        return new(attribute, modifier, text, null, null, 1);
    }

    private static SailsCriteria Set(string attribute, string modifier, IEnumerable<SailsValue> values)
    {
        CheckAttributeName(attribute);
        ArgumentNullException.ThrowIfNull(values);
        return new(attribute, modifier, default, [.. values], null, 1);
    }

    private static SailsCriteria Combine(string key, SailsCriteria[] clauses)
    {
        ArgumentNullException.ThrowIfNull(clauses);
        if (clauses.Length == 0)
        {
            throw new ArgumentException($"'{key}' needs at least one clause.", nameof(clauses));
        }

        var depth = 0;
        foreach (var clause in clauses)
        {
            ArgumentNullException.ThrowIfNull(clause, nameof(clauses));
            depth = Math.Max(depth, clause.Depth);
        }

        if (depth + 1 > MaxDepth)
        {
            throw new ArgumentException($"The criteria nest deeper than {MaxDepth} levels of 'and'/'or'.", nameof(clauses));
        }

        return new(key, null, default, null, [.. clauses], depth + 1);
    }
}
