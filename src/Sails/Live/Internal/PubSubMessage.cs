using System.Text.Json;

namespace SailSocket.Live.Internal;

/// <summary>The verbs of Sails's resourceful pub/sub messages (sails/lib/hooks/pubsub).</summary>
internal enum PubSubVerb
{
    Other,
    Created,
    Updated,
    Destroyed,
    AddedTo,
    RemovedFrom,
}

/// <summary>
/// One resourceful pub/sub message, as the blueprints publish it to the model's event (<c>io.socket.on('pet')</c>):
/// <c>{verb:'created', id, data}</c>, <c>{verb:'updated', id, data: changes, previous}</c>,
/// <c>{verb:'destroyed', id, previous}</c>, <c>{verb:'addedTo'|'removedFrom', id, attribute, addedId|removedId}</c>.
/// </summary>
internal readonly record struct PubSubMessage(PubSubVerb Verb, string? Key, JsonElement Data, JsonElement Previous, string? Attribute)
{
    /// <summary>Reads a message; a payload that is not one reads as <see cref="PubSubVerb.Other"/>.</summary>
    public static PubSubMessage Read(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty("verb", out var verbElement) || verbElement.ValueKind != JsonValueKind.String)
        {
            return default;
        }

        var verb = verbElement.GetString() switch
        {
            "created" => PubSubVerb.Created,
            "updated" => PubSubVerb.Updated,
            "destroyed" => PubSubVerb.Destroyed,
            "addedTo" => PubSubVerb.AddedTo,
            "removedFrom" => PubSubVerb.RemovedFrom,
            _ => PubSubVerb.Other,
        };
        var key = payload.TryGetProperty("id", out var id) ? JsonRecords.KeyOfId(id) : null;
        var data = payload.TryGetProperty("data", out var d) ? d : default;
        var previous = payload.TryGetProperty("previous", out var p) ? p : default;
        var attribute = payload.TryGetProperty("attribute", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        return new PubSubMessage(key is null ? PubSubVerb.Other : verb, key, data, previous, attribute);
    }
}
