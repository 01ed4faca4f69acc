using System.Text.Json.Serialization;

namespace SailSocket.Internal;

/// <summary>Source-generated metadata for the values this layer deserialises itself (AOT-safe).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class SailsJsonContext : JsonSerializerContext
{
}
