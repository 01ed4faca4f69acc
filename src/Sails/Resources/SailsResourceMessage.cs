using System;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SailSocket.Resources;

/// <summary>
/// One resourceful pub/sub message of a model (the event named after the model identity), typed for the resource's
/// records. Wire shapes (Sails 1.5, pinned by tests/SailSocket.IntegrationTests/Resources):
/// <list type="bullet">
/// <item><c>{"verb":"created","data":{record},"id":7}</c></item>
/// <item><c>{"verb":"updated","data":{values set},"id":7,"previous":{record before}}</c></item>
/// <item><c>{"verb":"destroyed","id":7,"previous":{record}}</c></item>
/// <item><c>{"verb":"addedTo","id":7,"attribute":"tags","addedId":3}</c> and
/// <c>{"verb":"removedFrom","id":7,"attribute":"tags","removedId":3}</c></item>
/// </list>
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <remarks>
/// Verb, id, attribute and associated id are read when the message is built; the records are read on demand
/// (<see cref="ReadRecord"/>, <see cref="ReadPrevious"/>), so a message whose record does not match
/// <typeparamref name="T"/> still says what happened. Immutable; safe to share.
/// </remarks>
public sealed class SailsResourceMessage<T>
{
    private static readonly JsonReaderOptions s_options = new() { MaxDepth = 64 };

    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly ReadOnlyMemory<byte> _data;
    private readonly ReadOnlyMemory<byte> _previous;

    /// <summary>Reads a message from a server event.</summary>
    /// <param name="model">The model identity (the event name).</param>
    /// <param name="serverEvent">The event.</param>
    /// <param name="typeInfo">The record type.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public SailsResourceMessage(string model, SailsEvent serverEvent, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(serverEvent);
        ArgumentNullException.ThrowIfNull(typeInfo);
        Model = model;
        Event = serverEvent;
        _typeInfo = typeInfo;
        var json = serverEvent.Data.Memory;
        try
        {
            var reader = new Utf8JsonReader(json.Span, s_options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("verb"u8))
                {
                    reader.Read();
                    Verb = ReadVerb(ref reader);
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    Id = ReadId(ref reader);
                }
                else if (reader.ValueTextEquals("attribute"u8))
                {
                    reader.Read();
                    Attribute = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("addedId"u8) || reader.ValueTextEquals("removedId"u8))
                {
                    AssociatedId = ReadId(ref reader);
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    _data = Slice(json, ref reader);
                }
                else if (reader.ValueTextEquals("previous"u8))
                {
                    _previous = Slice(json, ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // The event router hands over only valid JSON; what was read stands, the rest stays in Event.
        }
    }

    /// <summary>The model identity (the event name).</summary>
    public string Model { get; }

    /// <summary>What happened; <see cref="SailsResourceVerb.Unknown"/> for a message without a known verb.</summary>
    public SailsResourceVerb Verb { get; }

    /// <summary>The record the message is about; <see langword="default"/> when it carried none.</summary>
    public SailsRecordId Id { get; }

    /// <summary>The collection association of <c>addedTo</c> / <c>removedFrom</c> (<c>tags</c>); otherwise <see langword="null"/>.</summary>
    public string? Attribute { get; }

    /// <summary>The record added to or removed from <see cref="Attribute"/> (<c>addedId</c> / <c>removedId</c>).</summary>
    public SailsRecordId AssociatedId { get; }

    /// <summary>Whether the message carried a <c>previous</c> record (<c>updated</c>, <c>destroyed</c>).</summary>
    public bool HasPrevious => !_previous.IsEmpty && !IsNull(_previous.Span);

    /// <summary>The <c>data</c> of an <c>updated</c> message: only the values the update set (and the id), as raw JSON;
    /// empty otherwise. Apply it to the record you hold, or read it with <see cref="ReadChanges{TChanges}"/>.</summary>
    public SailsJson Changes => Verb == SailsResourceVerb.Updated ? new SailsJson(_data) : default;

    /// <summary>The raw event, for what the typed view leaves out.</summary>
    public SailsEvent Event { get; }

    /// <summary>Reads the record of a <c>created</c> message (its <c>data</c>).</summary>
    /// <returns>The record.</returns>
    /// <exception cref="InvalidOperationException">The message is not a <c>created</c> one.</exception>
    /// <exception cref="JsonException">The record does not match <typeparamref name="T"/>; <see cref="JsonException.Path"/> locates it (<c>$.data.age</c>).</exception>
    public T ReadRecord() => Verb == SailsResourceVerb.Created
        ? RecordReader.ReadOne(_data.Span, _typeInfo, "$.data", $"the '{Model}' created message")
        : throw new InvalidOperationException($"A '{Verb}' message carries no whole record; ReadRecord is for 'Created'.");

    /// <summary>Reads the record as it was before an <c>updated</c> or <c>destroyed</c> message (its <c>previous</c>).</summary>
    /// <returns>The record before.</returns>
    /// <exception cref="InvalidOperationException">The message carried no <c>previous</c> (see <see cref="HasPrevious"/>).</exception>
    /// <exception cref="JsonException">The record does not match <typeparamref name="T"/>; <see cref="JsonException.Path"/> locates it (<c>$.previous.age</c>).</exception>
    public T ReadPrevious() => HasPrevious
        ? RecordReader.ReadOne(_previous.Span, _typeInfo, "$.previous", $"the '{Model}' {Verb} message")
        : throw new InvalidOperationException($"This '{Verb}' message carries no previous record.");

    /// <summary>Reads the values an <c>updated</c> message set.</summary>
    /// <typeparam name="TChanges">A type for the changed values (every member optional).</typeparam>
    /// <param name="typeInfo">Its serialization metadata.</param>
    /// <returns>The values.</returns>
    /// <exception cref="InvalidOperationException">The message is not an <c>updated</c> one.</exception>
    /// <exception cref="JsonException">The values do not match <typeparamref name="TChanges"/>; the path locates the mismatch.</exception>
    public TChanges ReadChanges<TChanges>(JsonTypeInfo<TChanges> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return Verb == SailsResourceVerb.Updated
            ? RecordReader.ReadOne(_data.Span, typeInfo, "$.data", $"the '{Model}' updated message")
            : throw new InvalidOperationException($"A '{Verb}' message carries no changes; ReadChanges is for 'Updated'.");
    }

    /// <summary>The verb and ids, never record values.</summary>
    /// <returns>For example <c>pet updated 7</c>.</returns>
    public override string ToString() =>
        Attribute is null ? $"{Model} {Verb} {Id}" : $"{Model} {Verb} {Id} {Attribute} {AssociatedId}";

    private static SailsResourceVerb ReadVerb(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return SailsResourceVerb.Unknown;
        }

        return reader.ValueTextEquals("created"u8) ? SailsResourceVerb.Created
            : reader.ValueTextEquals("updated"u8) ? SailsResourceVerb.Updated
            : reader.ValueTextEquals("destroyed"u8) ? SailsResourceVerb.Destroyed
            : reader.ValueTextEquals("addedTo"u8) ? SailsResourceVerb.AddedTo
            : reader.ValueTextEquals("removedFrom"u8) ? SailsResourceVerb.RemovedFrom
            : SailsResourceVerb.Unknown;
    }

    private static SailsRecordId ReadId(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
        {
            return SailsRecordId.FromNumber(number);
        }

        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } text)
        {
            return SailsRecordId.FromString(text);
        }

        reader.Skip();
        return default;
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> json, ref Utf8JsonReader reader)
    {
        reader.Read();
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return json[start..(int)reader.BytesConsumed];
    }

    private static bool IsNull(ReadOnlySpan<byte> json) => json.SequenceEqual("null"u8);
}
