using System.Text.Json.Serialization;

namespace SailSocket.LoadTool;

/// <summary>The body of the soak's occasional <c>POST /echo</c>; the answer's <c>body.n</c> must be <see cref="N"/>.</summary>
internal sealed record SoakEchoBody(long N, string Text);

/// <summary>The body of <c>POST /room/join</c>.</summary>
internal sealed record SoakRoomBody(string Room);

/// <summary>The body of <c>POST /room/broadcast</c>: the server emits <see cref="Event"/> with <see cref="Data"/> to the room.</summary>
internal sealed record SoakBroadcastBody(string Room, string Event, SoakTick Data);

/// <summary>The data of one broadcast event.</summary>
internal sealed record SoakTick(long N);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SoakEchoBody))]
[JsonSerializable(typeof(SoakRoomBody))]
[JsonSerializable(typeof(SoakBroadcastBody))]
internal sealed partial class SoakBodyJson : JsonSerializerContext;
