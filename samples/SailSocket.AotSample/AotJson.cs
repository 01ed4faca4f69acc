using System.Text.Json.Serialization;

namespace SailSocket.AotSample;

/// <summary>The JSON of the sample, source-generated: no reflection, so it survives trimming and Native AOT.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Pet))]
[JsonSerializable(typeof(Pet[]))]
[JsonSerializable(typeof(NewPet))]
[JsonSerializable(typeof(PetMessage))]
[JsonSerializable(typeof(RoomRequest))]
[JsonSerializable(typeof(RoomJoined))]
[JsonSerializable(typeof(Broadcast))]
[JsonSerializable(typeof(ChatMessage))]
internal sealed partial class AotJson : JsonSerializerContext;
