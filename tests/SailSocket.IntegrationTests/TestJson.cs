using System.Text.Json;
using System.Text.Json.Serialization;

namespace SailSocket.IntegrationTests;

public sealed record PetData(string Name, string? Species = null);

public sealed record Pet(int Id, string Name, string Species);

public sealed record RoomData(string Room, string? Event = null, JsonElement? Data = null, bool OmitSender = false);

public sealed record EchoReply(string Method, string Url, string Path, bool IsSocket, string SocketId, JsonElement Body, JsonElement Query, EchoHeaders Headers, JsonElement HandshakeQuery = default);

public sealed record EchoHeaders(
    [property: JsonPropertyName("x-probe")] string? XProbe,
    [property: JsonPropertyName("x-global")] string? XGlobal,
    [property: JsonPropertyName("cookie")] string? Cookie,
    [property: JsonPropertyName("origin")] string? Origin);

public sealed record UnicodeReply(string Text, string? Received);

public sealed record TextData(string Text);

public sealed record ChatMessage(string Text);

public sealed record PetEvent(string Verb, int Id, JsonElement Data);

public sealed record BurstData(string Room, int Count, string Event = "tick");

public sealed record Tick(int N);

public sealed record NotANumber(double Value);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PetData))]
[JsonSerializable(typeof(Pet))]
[JsonSerializable(typeof(Pet[]))]
[JsonSerializable(typeof(RoomData))]
[JsonSerializable(typeof(EchoReply))]
[JsonSerializable(typeof(UnicodeReply))]
[JsonSerializable(typeof(TextData))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(PetEvent))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(BurstData))]
[JsonSerializable(typeof(Tick))]
[JsonSerializable(typeof(NotANumber))]
[JsonSerializable(typeof(Dictionary<string, int>))]
public sealed partial class TestJson : JsonSerializerContext;
