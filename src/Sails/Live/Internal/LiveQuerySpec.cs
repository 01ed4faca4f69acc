using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SailSocket.Live.Internal;

/// <summary>A <see cref="LiveQuery"/> resolved once: its criteria, its total order, whether it is a window, and its URLs.</summary>
internal sealed class LiveQuerySpec
{
    public LiveQuerySpec(LiveQuery query, int maxRecords)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.Skip, nameof(query.Skip));
        if (query.Limit is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1, nameof(query.Limit));
        }

        if (query.Where is { } where && where.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined))
        {
            throw new ArgumentException("A where clause is a JSON object.", nameof(query));
        }

        Model = query.Model;
        PrimaryKey = query.PrimaryKey;
        Where = query.Where is { ValueKind: JsonValueKind.Object } w ? w.Clone() : default;
        Order = new RecordOrder(RecordOrder.Parse(query.Sort), query.PrimaryKey);
        Skip = query.Skip;
        Limit = query.Limit ?? maxRecords;
        HasWindow = query.Skip > 0 || query.Limit is not null;
        IsFiltered = Where.ValueKind == JsonValueKind.Object && Where.EnumerateObject().MoveNext();
        var path = query.Path ?? "/" + query.Model;
        DataUrl = BuildUrl(path, Where, Order, Skip, Limit) + (query.Populate ? "" : "&populate=false");
        SubscribeUrl = SubscribeUrlOf(path, maxRecords);
        var prefix = path[..(path.Length - query.Model.Length)];
        var dependencies = new List<(string, string)>();
        foreach (var model in query.RefetchOn ?? [])
        {
            _ = new LiveQuery(model); // the same check of the identity
            dependencies.Add((model, SubscribeUrlOf(prefix + model, maxRecords)));
        }

        Dependencies = dependencies;
    }

    public string Model { get; }

    public string PrimaryKey { get; }

    /// <summary>The criteria object; undefined for "every record".</summary>
    public JsonElement Where { get; }

    public RecordOrder Order { get; }

    public int Skip { get; }

    /// <summary>The limit sent: the query's, or <see cref="LiveCollectionOptions.MaxRecords"/>.</summary>
    public int Limit { get; }

    /// <summary>Whether the query asked for a skip/limit window (where a message alone cannot place a record).</summary>
    public bool HasWindow { get; }

    /// <summary>Whether there is a non-empty <c>where</c>.</summary>
    public bool IsFiltered { get; }

    /// <summary>The find that returns the collection's records (and subscribes the socket to them).</summary>
    public string DataUrl { get; }

    /// <summary>
    /// The find that subscribes the socket to every record of the model, without populating: a filtered or windowed
    /// find subscribes only to what it returns, so an update that makes another record enter would go unheard.
    /// </summary>
    public string SubscribeUrl { get; }

    /// <summary>The models whose messages make the collection refetch, each with the find that subscribes to all its records.</summary>
    public IReadOnlyList<(string Model, string SubscribeUrl)> Dependencies { get; }

    private static string SubscribeUrlOf(string path, int maxRecords) =>
        path + "?limit=" + maxRecords.ToString(CultureInfo.InvariantCulture) + "&populate=false";

    /// <summary>Whether the data find alone does not subscribe to every record the collection must hear about.</summary>
    public bool NeedsSubscribeAll => IsFiltered || HasWindow;

    private static string BuildUrl(string path, JsonElement where, RecordOrder order, int skip, int limit)
    {
        var url = new StringBuilder(path);
        url.Append('?');
        if (where.ValueKind == JsonValueKind.Object)
        {
            url.Append("where=").Append(Uri.EscapeDataString(where.GetRawText())).Append('&');
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (attribute, descending) in order.Clauses)
            {
                writer.WriteStartObject();
                writer.WriteString(attribute, descending ? "DESC" : "ASC");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        url.Append("sort=").Append(Uri.EscapeDataString(Encoding.UTF8.GetString(buffer.WrittenSpan)));
        if (skip > 0)
        {
            url.Append("&skip=").Append(skip.ToString(CultureInfo.InvariantCulture));
        }

        url.Append("&limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        return url.ToString();
    }
}
