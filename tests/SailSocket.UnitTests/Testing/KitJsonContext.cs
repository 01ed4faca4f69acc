using System.Text.Json.Serialization;

namespace SailSocket.UnitTests.Testing;

/// <summary>An order as the tests' fake routes and events carry it.</summary>
internal sealed record KitOrder(int Id, string State);

/// <summary>Source-generated metadata for the kit's typed overloads.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(KitOrder))]
internal sealed partial class KitJsonContext : JsonSerializerContext
{
}
