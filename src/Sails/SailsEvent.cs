using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SailSocket;

/// <summary>An event the server pushed to a socket: a broadcast, a blast, a model pubsub message or a direct emit.</summary>
/// <remarks>Immutable; the data was copied off the receive buffer and can be kept.</remarks>
public sealed class SailsEvent
{
    internal SailsEvent(string name, ReadOnlyMemory<byte> data, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        Name = name;
        Data = new SailsJson(data);
        Attachments = attachments;
    }

    /// <summary>The event name: the room event, <c>message</c>, or the model identity (e.g. <c>pet</c>) for pubsub.</summary>
    public string Name { get; }

    /// <summary>The event's data (its first argument) as raw UTF-8 JSON; empty when the event carried none.</summary>
    public SailsJson Data { get; }

    /// <summary>Binary attachments referenced by placeholders in <see cref="Data"/>; usually empty.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>Deserialises the data.</summary>
    /// <typeparam name="T">The data type.</typeparam>
    /// <param name="typeInfo">Serialization metadata (source-generated for AOT).</param>
    /// <returns>The data, or <see langword="default"/> when there is none.</returns>
    /// <exception cref="JsonException">The data does not match <typeparamref name="T"/>.</exception>
    public T? ReadData<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return Data.IsEmpty ? default : JsonSerializer.Deserialize(Data.Span, typeInfo);
    }

    /// <summary>Parses the data into a <see cref="JsonElement"/> that stays valid on its own.</summary>
    /// <returns>The element; <see cref="JsonValueKind.Undefined"/> when there is no data.</returns>
    public JsonElement ReadDataAsElement()
    {
        if (Data.IsEmpty)
        {
            return default;
        }

        using var document = JsonDocument.Parse(Data);
        return document.RootElement.Clone();
    }

    /// <summary>The event name and data, for logs.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Name} {System.Text.Encoding.UTF8.GetString(Data.Span)}";
}
