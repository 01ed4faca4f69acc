using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Errors;
using SailSocket.Internal;

namespace SailSocket.Resources;

/// <summary>
/// A Sails model's REST blueprints over a socket, typed: find (with criteria), find one, create, update, destroy, the
/// collection association routes, and the model's resourceful pub/sub messages. Created by
/// <see cref="SailsSocket.Resource{T}(string, JsonTypeInfo{T})"/>.
/// </summary>
/// <typeparam name="T">The record type, as the blueprints return it (associations populated by default: see <see cref="SailsQuery.Populate"/>).</typeparam>
/// <remarks>
/// <list type="bullet">
/// <item>Routes (Sails 1 <c>rest: true</c>): <c>GET /model</c>, <c>GET /model/:id</c>, <c>POST /model</c>,
/// <c>PATCH /model/:id</c>, <c>DELETE /model/:id</c>, <c>PUT /model/:id/:association/:fk</c>,
/// <c>DELETE /model/:id/:association/:fk</c>, <c>PUT /model/:id/:association</c> (docs/blueprints.md).</item>
/// <item>An error status throws <see cref="SailsBlueprintException"/>; a record that does not match
/// <typeparamref name="T"/> throws <see cref="JsonException"/> with the path of the mismatch and no value.</item>
/// <item>Stateless and immutable: safe to use from any thread, as often as wanted; it lives as long as its socket.</item>
/// </list>
/// </remarks>
public sealed class SailsResource<T>
{
    private const string SailsMethodGet = "get";
    private const string SailsMethodPut = "put";

    private readonly SailsSocket _socket;

    internal SailsResource(SailsSocket socket, string model, JsonTypeInfo<T> typeInfo)
    {
        _socket = socket;
        Model = model;
        TypeInfo = typeInfo;
    }

    /// <summary>The model identity: the blueprint path (<c>/user</c>) and the name of its pub/sub event.</summary>
    public string Model { get; }

    /// <summary>The socket the resource talks through (for <see cref="Live.SailsResourceLiveExtensions"/>).</summary>
    internal SailsSocket Socket => _socket;

    /// <summary>The record type's serialization metadata.</summary>
    public JsonTypeInfo<T> TypeInfo { get; }

    /// <summary>Finds records (<c>GET /model?where=…</c>). Over a socket this also subscribes it to the records found and,
    /// with Sails' default <c>autoWatch</c>, to the model's creations (docs/blueprints.md).</summary>
    /// <param name="query">The criteria; <see langword="null"/>: all records up to the server's default limit (30).</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The records, in the server's order.</returns>
    /// <exception cref="ArgumentException">The query is invalid (the message names the part).</exception>
    /// <exception cref="SailsBlueprintException">The server refused the query (<c>E_INVALID_CRITERIA</c>) or failed.</exception>
    /// <exception cref="JsonException">A record does not match <typeparamref name="T"/>; <see cref="JsonException.Path"/> locates it (<c>$[2].age</c>).</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<IReadOnlyList<T>> FindAsync(SailsQuery? query = null, CancellationToken cancellationToken = default)
    {
        var url = BlueprintUrl.Find(Model, query);
        var response = await _socket.GetAsync(url, cancellationToken).ConfigureAwait(false);
        return ReadRecords(Check(response, query, default));
    }

    /// <summary>Finds one record by id (<c>GET /model/:id</c>); subscribes the socket to it.</summary>
    /// <param name="id">The record id.</param>
    /// <param name="query">Only <see cref="SailsQuery.Select"/>, <see cref="SailsQuery.Omit"/> and
    /// <see cref="SailsQuery.Populate"/> apply; <see langword="null"/> (default): the whole record, populated.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ArgumentException">The id is <see langword="default"/>, or the query sets more than select, omit and populate.</exception>
    /// <exception cref="SailsBlueprintException">No such record (<see cref="SailsBlueprintErrorKind.NotFound"/>), or another error.</exception>
    /// <exception cref="JsonException">The record does not match <typeparamref name="T"/>; the path locates it.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<T> FindOneAsync(SailsRecordId id, SailsQuery? query = null, CancellationToken cancellationToken = default)
    {
        var url = BlueprintUrl.Record(Model, id, query);
        var response = await _socket.GetAsync(url, cancellationToken).ConfigureAwait(false);
        return ReadRecord(Check(response, query, default));
    }

    /// <summary>Creates a record (<c>POST /model</c>) and returns it as the server stored it (populated).</summary>
    /// <typeparam name="TValues">The type of the new record's values (without id and timestamps, typically).</typeparam>
    /// <param name="values">The values.</param>
    /// <param name="valuesTypeInfo">Their serialization metadata.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The new record.</returns>
    /// <exception cref="ArgumentException">The values do not serialise, or the request is larger than the server accepts.</exception>
    /// <exception cref="SailsBlueprintException">Validation failed (<c>E_INVALID_NEW_RECORD</c>), a unique value is taken
    /// (<see cref="SailsBlueprintErrorKind.UniqueViolation"/>), or another error.</exception>
    /// <exception cref="JsonException">The record does not match <typeparamref name="T"/>; the path locates it.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsRequestInterruptedException">The request was sent, then the connection ended before its response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<T> CreateAsync<TValues>(TValues values, JsonTypeInfo<TValues> valuesTypeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(valuesTypeInfo);
        var response = await _socket.PostAsJsonAsync("/" + Model, values, valuesTypeInfo, cancellationToken).ConfigureAwait(false);
        return ReadRecord(CheckSent(response, values, valuesTypeInfo));
    }

    /// <summary>Updates a record (<c>PATCH /model/:id</c>) with the values given (others stay) and returns it.</summary>
    /// <typeparam name="TValues">The type of the values to set.</typeparam>
    /// <param name="id">The record id.</param>
    /// <param name="values">The values to set.</param>
    /// <param name="valuesTypeInfo">Their serialization metadata.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The updated record.</returns>
    /// <exception cref="SailsBlueprintException">No such record (<see cref="SailsBlueprintErrorKind.NotFound"/>), a value
    /// is invalid (<c>E_INVALID_VALUES_TO_SET</c>), a unique value is taken, or another error.</exception>
    /// <inheritdoc cref="CreateAsync{TValues}(TValues, JsonTypeInfo{TValues}, CancellationToken)"/>
    public async Task<T> UpdateAsync<TValues>(SailsRecordId id, TValues values, JsonTypeInfo<TValues> valuesTypeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(valuesTypeInfo);
        var url = BlueprintUrl.Record(Model, id);
        var response = await _socket.PatchAsJsonAsync(url, values, valuesTypeInfo, cancellationToken).ConfigureAwait(false);
        return ReadRecord(CheckSent(response, values, valuesTypeInfo));
    }

    /// <summary>Destroys a record (<c>DELETE /model/:id</c>) and returns it as it was.</summary>
    /// <param name="id">The record id.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The destroyed record.</returns>
    /// <exception cref="SailsBlueprintException">No such record (<see cref="SailsBlueprintErrorKind.NotFound"/>), or another error.</exception>
    /// <inheritdoc cref="FindOneAsync(SailsRecordId, SailsQuery?, CancellationToken)"/>
    public async Task<T> DestroyAsync(SailsRecordId id, CancellationToken cancellationToken = default)
    {
        var response = await _socket.DeleteAsync(BlueprintUrl.Record(Model, id), cancellationToken).ConfigureAwait(false);
        return ReadRecord(Check(response, null, default));
    }

    /// <summary>Adds a record to a collection association (<c>PUT /model/:id/:association/:fk</c>) and returns the parent.</summary>
    /// <param name="id">The parent record's id.</param>
    /// <param name="association">The collection attribute (<c>tags</c>).</param>
    /// <param name="childId">The id of the record to add.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The parent record, populated.</returns>
    /// <exception cref="ArgumentException">An id is <see langword="default"/>, or <paramref name="association"/> is not an attribute name.</exception>
    /// <exception cref="SailsBlueprintException">No such parent or child (<see cref="SailsBlueprintErrorKind.NotFound"/>), no such association, or another error.</exception>
    /// <exception cref="JsonException">The record does not match <typeparamref name="T"/>; the path locates it.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<T> AddToAsync(SailsRecordId id, string association, SailsRecordId childId, CancellationToken cancellationToken = default)
    {
        var url = BlueprintUrl.AssociationMember(Model, id, association, childId);
        var response = await _socket.PutAsync(url, cancellationToken).ConfigureAwait(false);
        return ReadRecord(Check(response, null, default));
    }

    /// <summary>Removes a record from a collection association (<c>DELETE /model/:id/:association/:fk</c>) and returns the parent.</summary>
    /// <inheritdoc cref="AddToAsync(SailsRecordId, string, SailsRecordId, CancellationToken)"/>
    public async Task<T> RemoveFromAsync(SailsRecordId id, string association, SailsRecordId childId, CancellationToken cancellationToken = default)
    {
        var url = BlueprintUrl.AssociationMember(Model, id, association, childId);
        var response = await _socket.DeleteAsync(url, cancellationToken).ConfigureAwait(false);
        return ReadRecord(Check(response, null, default));
    }

    /// <summary>Replaces the members of a collection association (<c>PUT /model/:id/:association</c>, body: the ids) and returns the parent.</summary>
    /// <param name="id">The parent record's id.</param>
    /// <param name="association">The collection attribute.</param>
    /// <param name="childIds">The ids the collection holds afterwards; empty empties it.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The parent record, populated.</returns>
    /// <inheritdoc cref="AddToAsync(SailsRecordId, string, SailsRecordId, CancellationToken)"/>
    public async Task<T> ReplaceAsync(SailsRecordId id, string association, IEnumerable<SailsRecordId> childIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(childIds);
        var request = new SailsRequest(SailsMethodPut, BlueprintUrl.Association(Model, id, association)) { Data = IdArray(childIds) };
        var response = await _socket.RequestAsync(request, cancellationToken).ConfigureAwait(false);
        return ReadRecord(Check(response, null, default));
    }

    /// <summary>
    /// Finds records as <see cref="FindAsync"/> does, which subscribes the socket, and has the socket send the same find
    /// again after every reconnect (<see cref="SailsSocket.SubscribeAsync"/>): the server forgets a socket's
    /// subscriptions when it reconnects.
    /// </summary>
    /// <param name="query">The criteria; <see langword="null"/>: all records up to the server's default limit.</param>
    /// <param name="cancellationToken">Stops waiting for the first response.</param>
    /// <returns>The subscription, with the records found; dispose it to stop replaying.</returns>
    /// <remarks>Register the message handler (<see cref="On"/>, <see cref="ReadMessagesAsync"/>) before this call, so
    /// that no message sent between the find and the registration is missed.</remarks>
    /// <inheritdoc cref="FindAsync(SailsQuery?, CancellationToken)"/>
    public async Task<SailsResourceSubscription<T>> SubscribeAsync(SailsQuery? query = null, CancellationToken cancellationToken = default)
    {
        var url = BlueprintUrl.Find(Model, query);
        SailsSubscription subscription;
        try
        {
            subscription = await _socket.SubscribeAsync(new SailsRequest(SailsMethodGet, url), cancellationToken).ConfigureAwait(false);
        }
        catch (SailsRequestException error) when (error is not SailsBlueprintException)
        {
            Check(error.Response, query, default);
            throw;
        }

        try
        {
            return new SailsResourceSubscription<T>(this, query, subscription, ReadRecords(subscription.LastResponse));
        }
        catch
        {
            subscription.Dispose();
            throw;
        }
    }

    /// <summary>Calls <paramref name="handler"/> for every pub/sub message of the model (the event named <see cref="Model"/>).</summary>
    /// <param name="handler">The handler; runs on the thread pool, one message at a time, in arrival order (as <see cref="SailsSocket.On(string, Action{SailsEvent})"/>).</param>
    /// <returns>A registration; dispose it to remove the handler.</returns>
    /// <exception cref="InvalidOperationException">The event already has <see cref="SailsClientOptions.MaxListenersPerEvent"/> handlers.</exception>
    public IDisposable On(Action<SailsResourceMessage<T>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return _socket.On(Model, e => handler(new SailsResourceMessage<T>(Model, e, TypeInfo)));
    }

    /// <summary>Streams the model's pub/sub messages for <c>await foreach</c>, across reconnects; registered by this call
    /// (see <see cref="SailsSocket.ReadEventsAsync"/>).</summary>
    /// <param name="capacity">How many messages may wait for a slow consumer (oldest dropped beyond). Default 1024.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>The messages, in arrival order; enumerable once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is below 1.</exception>
    public IAsyncEnumerable<SailsResourceMessage<T>> ReadMessagesAsync(int capacity = 1024, CancellationToken cancellationToken = default) =>
        Typed(_socket.ReadEventsAsync(Model, capacity, cancellationToken), cancellationToken);

    /// <summary>Reads the records of a find's response (a replayed subscription's <see cref="SailsSubscription.LastResponse"/>, say).</summary>
    /// <param name="response">The response.</param>
    /// <returns>The records.</returns>
    /// <exception cref="SailsBlueprintException">The response is an error.</exception>
    /// <exception cref="JsonException">A record does not match <typeparamref name="T"/>; the path locates it.</exception>
    public IReadOnlyList<T> ReadRecords(SailsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return RecordReader.ReadMany(Check(response, null, default).Body.Span, TypeInfo, Source(response));
    }

    private T ReadRecord(SailsResponse response) => RecordReader.ReadOne(response.Body.Span, TypeInfo, "$", Source(response));

    private static string Source(SailsResponse response) => SafeDescription.Request(response.RequestMethod, response.RequestUrl);

    /// <summary>Throws the mapped blueprint error for an error status; the strings the request sent are redacted from it.</summary>
    private SailsResponse Check(SailsResponse response, SailsQuery? query, ReadOnlyMemory<byte> sentJson)
    {
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var sent = new SecretSet();
        if (query?.Where is { } where)
        {
            var strings = new List<KeyValuePair<string, string>>();
            where.CollectStrings(strings);
            sent.AddQuery(strings);
        }

        if (!sentJson.IsEmpty)
        {
            sent.AddJsonStrings(sentJson.Span);
        }

        throw SailsErrors.Blueprint(response, Model, sent);
    }

    private SailsResponse CheckSent<TValues>(SailsResponse response, TValues values, JsonTypeInfo<TValues> typeInfo) =>
        response.IsSuccessStatusCode ? response : Check(response, null, JsonSerializer.SerializeToUtf8Bytes(values, typeInfo));

    private static byte[] IdArray(IEnumerable<SailsRecordId> ids)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var id in ids)
            {
                if (id.IsDefault)
                {
                    throw new ArgumentException("A record id is required (the default SailsRecordId is no id).", nameof(ids));
                }

                id.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private async IAsyncEnumerable<SailsResourceMessage<T>> Typed(IAsyncEnumerable<SailsEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new SailsResourceMessage<T>(Model, e, TypeInfo);
        }
    }
}
