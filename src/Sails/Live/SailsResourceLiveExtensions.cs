using System;
using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Resources;

namespace SailSocket.Live;

/// <summary>Live collections from typed blueprint resources: <c>socket.Resource&lt;Pet&gt;("pet", …).FindLiveAsync(query)</c>.</summary>
public static class SailsResourceLiveExtensions
{
    /// <summary>
    /// Finds the records of <paramref name="query"/> and keeps them current (<see cref="LiveCollection{T}"/>): the snapshot,
    /// then the model's pub/sub messages, and a re-subscription, refetch and reconciliation after every reconnect.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="resource">The model, on the socket that will subscribe and listen.</param>
    /// <param name="query">Where, sort, skip and limit; <see langword="null"/>: every record (up to
    /// <see cref="LiveCollectionOptions.MaxRecords"/>). A query without a limit takes every record, not the server's
    /// default 30. Select, omit and a populate list are not supported; an empty populate list sends <c>populate=false</c>.
    /// For <see cref="LiveQuery.RefetchOn"/>, use <see cref="LiveCollection.StartAsync"/> with a <see cref="LiveQuery"/>.</param>
    /// <param name="options">Refetch and buffer settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops waiting for the snapshot (the collection is then disposed).</param>
    /// <returns>The collection, holding its first snapshot.</returns>
    /// <exception cref="ArgumentException">The query sets select, omit or a populate list, or a part of it is invalid.</exception>
    /// <exception cref="SailsRequestException">The server refused the find.</exception>
    /// <exception cref="SailsConnectionException">The socket could not carry the find.</exception>
    /// <exception cref="SailsTimeoutException">The find timed out.</exception>
    /// <exception cref="JsonException">A record does not match <typeparamref name="T"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<LiveCollection<T>> FindLiveAsync<T>(this SailsResource<T> resource, SailsQuery? query = null, LiveCollectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return LiveCollection.StartAsync(resource.Socket, ToLiveQuery(resource.Model, query), resource.TypeInfo, options, cancellationToken);
    }

    /// <summary>The live query of a resource query.</summary>
    internal static LiveQuery ToLiveQuery(string model, SailsQuery? query)
    {
        if (query is null)
        {
            return new LiveQuery(model);
        }

        if (query.Select is not null || query.Omit is not null || query.Populate is { Count: > 0 })
        {
            throw new ArgumentException("A live collection keeps whole records, all populated or none: Select, Omit and a Populate list are not supported.", nameof(query));
        }

        JsonElement? where = null;
        if (query.Where is { } criteria)
        {
            var buffer = new ArrayBufferWriter<byte>(128);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                criteria.WriteTo(writer);
            }

            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            where = document.RootElement.Clone();
        }

        StringBuilder? sort = null;
        foreach (var key in query.Sort ?? [])
        {
            if (key.Attribute is null || !SailsCriteria.IsAttributeName(key.Attribute))
            {
                throw new ArgumentException("A sort key has no valid attribute.", nameof(query));
            }

            (sort ??= new StringBuilder()).Append(sort.Length == 0 ? "" : ", ").Append(key.Attribute).Append(key.Descending ? " DESC" : " ASC");
        }

        return new LiveQuery(model) { Where = where, Sort = sort?.ToString(), Skip = query.Skip ?? 0, Limit = query.Limit, Populate = query.Populate is null };
    }
}
