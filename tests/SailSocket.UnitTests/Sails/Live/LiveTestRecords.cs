using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using SailSocket.Live;
using SailSocket.Live.Internal;

namespace SailSocket.UnitTests.Sails.Live;

public sealed record LivePet(int Id, string Name, string? Species = null, int Age = 0);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LivePet))]
internal sealed partial class LiveTestJson : JsonSerializerContext;

/// <summary>Builders for the live collection's pure parts.</summary>
internal static class LiveTestRecords
{
    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static JsonElement Pet(int id, string name, string species = "cat", int age = 1) =>
        JsonSerializer.SerializeToElement(new LivePet(id, name, species, age), LiveTestJson.Default.LivePet);

    public static LiveState<LivePet> State(LiveQuery query, int maxRecords = 10_000) =>
        new(new LiveQuerySpec(query, maxRecords), e => JsonSerializer.Deserialize(e, LiveTestJson.Default.LivePet)!);

    public static PubSubMessage Created(JsonElement record) =>
        PubSubMessage.Read(Json($$"""{"verb":"created","id":{{record.GetProperty("id").GetRawText()}},"data":{{record.GetRawText()}}}"""));

    public static PubSubMessage Updated(int id, string changes, JsonElement previous) =>
        PubSubMessage.Read(Json($$"""{"verb":"updated","id":{{id}},"data":{{changes}},"previous":{{previous.GetRawText()}}}"""));

    public static PubSubMessage Destroyed(JsonElement previous) =>
        PubSubMessage.Read(Json($$"""{"verb":"destroyed","id":{{previous.GetProperty("id").GetRawText()}},"previous":{{previous.GetRawText()}}}"""));

    public static List<string> Names(LiveSnapshot<LivePet> snapshot) => snapshot.Select(p => p.Name).ToList();
}
