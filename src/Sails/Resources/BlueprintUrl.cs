using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SailSocket.Resources;

/// <summary>
/// The URLs of the Sails 1 REST blueprints (docs/blueprints.md, "Routes"): <c>/model</c>, <c>/model/:id</c>,
/// <c>/model/:id/:association</c> and <c>/model/:id/:association/:fk</c>, and a find's query string. Pure: no I/O.
/// </summary>
/// <remarks>
/// Each query part is written by <see cref="Utf8JsonWriter"/> (where, sort) or from checked attribute names (select,
/// omit, populate), then escaped whole with <see cref="Uri.EscapeDataString(string)"/>: a user value can neither end
/// its JSON string nor its query parameter.
/// </remarks>
internal static class BlueprintUrl
{
    // Relaxed: '<', '>' and '+' stay readable in the JSON (as "<=", not "\u003C="); the URL escaping that follows makes
    // the whole parameter safe, and the JSON stays valid JSON either way.
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Checks a model identity: lower-case letters, digits, <c>_</c> and <c>-</c>, at most 128 characters.</summary>
    /// <exception cref="ArgumentException">It is not one.</exception>
    public static void CheckModel(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Length is 0 or > 128 || !IsIdentity(model))
        {
            throw new ArgumentException("A model identity is the model's name in lower case: letters a-z, digits, '_' or '-', at most 128 characters (for example \"user\").", nameof(model));
        }
    }

    /// <summary><c>/model</c> with the query string of <paramref name="query"/>.</summary>
    public static string Find(string model, SailsQuery? query) => query is null ? "/" + model : "/" + model + QueryString(query, single: false);

    /// <summary><c>/model/:id</c>, with a find-one's query string (select, omit, populate) when given.</summary>
    public static string Record(string model, SailsRecordId id, SailsQuery? query = null) =>
        "/" + model + "/" + id.ToPathSegment() + (query is null ? string.Empty : QueryString(query, single: true));

    /// <summary><c>/model/:id/:association</c>.</summary>
    public static string Association(string model, SailsRecordId id, string association)
    {
        SailsCriteria.CheckAttributeName(association, nameof(association));
        return "/" + model + "/" + id.ToPathSegment() + "/" + association;
    }

    /// <summary><c>/model/:id/:association/:fk</c>.</summary>
    public static string AssociationMember(string model, SailsRecordId id, string association, SailsRecordId childId) =>
        Association(model, id, association) + "/" + childId.ToPathSegment();

    /// <summary>The query string (with its <c>?</c>), or empty when the query asks for nothing.</summary>
    /// <param name="query">The query.</param>
    /// <param name="single">A find-one: only select, omit and populate apply.</param>
    /// <exception cref="ArgumentException">A part is invalid; the message names the part, never a value.</exception>
    public static string QueryString(SailsQuery query, bool single)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (single && (query.Where is not null || query.Sort is { Count: > 0 } || query.Limit is not null || query.Skip is not null))
        {
            throw new ArgumentException("Finding one record by id takes only Select, Omit and Populate; Where, Sort, Limit and Skip are for FindAsync.", nameof(query));
        }

        if (query.Select is not null && query.Omit is not null)
        {
            throw new ArgumentException("A query takes Select or Omit, not both (Sails ignores Omit when Select is given).", nameof(query));
        }

        if (query.Limit is < 0 || query.Skip is < 0)
        {
            throw new ArgumentException("Limit and Skip must be at least 0.", nameof(query));
        }

        var text = new StringBuilder();
        if (query.Where is { } where)
        {
            Append(text, "where", Json(where.WriteTo));
        }

        if (query.Sort is { Count: > 0 } sort)
        {
            Append(text, "sort", Json(writer =>
            {
                writer.WriteStartArray();
                foreach (var key in sort)
                {
                    if (key.Attribute is null)
                    {
                        throw new ArgumentException("A sort key has no attribute (default SailsSort).", nameof(query));
                    }

                    writer.WriteStartObject();
                    writer.WriteString(key.Attribute, key.Descending ? "DESC" : "ASC");
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }));
        }

        if (query.Limit is { } limit)
        {
            Append(text, "limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (query.Skip is { } skip)
        {
            Append(text, "skip", skip.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (query.Select is { } select)
        {
            Append(text, "select", Names(select, nameof(SailsQuery.Select), allowEmpty: false));
        }

        if (query.Omit is { } omit)
        {
            Append(text, "omit", Names(omit, nameof(SailsQuery.Omit), allowEmpty: false));
        }

        if (query.Populate is { } populate)
        {
            Append(text, "populate", populate.Count == 0 ? "false" : Names(populate, nameof(SailsQuery.Populate), allowEmpty: true));
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string name, string value) =>
        text.Append(text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, s_json))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Names(IReadOnlyList<string> names, string part, bool allowEmpty)
    {
        if (names.Count == 0 && !allowEmpty)
        {
            throw new ArgumentException($"{part} lists no attribute; leave it null for all.", part);
        }

        foreach (var name in names)
        {
            if (name is null || !SailsCriteria.IsAttributeName(name))
            {
                throw new ArgumentException($"{part} holds a name that is not an attribute name (a JavaScript identifier; no ',' or spaces).", part);
            }
        }

        return string.Join(',', names);
    }

    private static bool IsIdentity(string model)
    {
        foreach (var c in model)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not '_' and not '-')
            {
                return false;
            }
        }

        return true;
    }
}
