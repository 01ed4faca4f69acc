using System;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Live;

/// <summary>Starts <see cref="LiveCollection{T}"/>s: the records of a blueprint find, kept current (docs/live-collections.md).</summary>
[SuppressMessage("Naming", "CA1711", Justification = "The factory of LiveCollection<T>, named after it as ImmutableList is after ImmutableList<T>.")]
public static class LiveCollection
{
    /// <summary>
    /// Subscribes to <paramref name="query"/>'s records, takes the snapshot and keeps it current until disposed.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="socket">The socket that subscribes and listens; it should not be the one that changes the data.</param>
    /// <param name="query">The find to keep current.</param>
    /// <param name="typeInfo">Serialization metadata for a record (source-generated for AOT).</param>
    /// <param name="options">Refetch and buffer settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops waiting for the snapshot (the collection is then disposed).</param>
    /// <returns>The collection, holding its first snapshot.</returns>
    /// <exception cref="ArgumentException">The query's where is not an object, or its sort cannot be read.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The query's skip or limit, or an option, is out of range.</exception>
    /// <exception cref="SailsRequestException">The server refused the find (bad criteria, unknown model).</exception>
    /// <exception cref="SailsConnectionException">The socket could not carry the find.</exception>
    /// <exception cref="SailsTimeoutException">The find timed out.</exception>
    /// <exception cref="JsonException">A record does not match <typeparamref name="T"/> (the message names the JSON path).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<LiveCollection<T>> StartAsync<T>(SailsSocket socket, LiveQuery query, JsonTypeInfo<T> typeInfo, LiveCollectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(typeInfo);
        options ??= new LiveCollectionOptions();
        options.Validate();
        return LiveCollection<T>.StartAsync(socket, query, typeInfo, options, cancellationToken);
    }
}
