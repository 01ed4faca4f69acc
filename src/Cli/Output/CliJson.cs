using System.Text.Json;
using System.Text.Json.Serialization;

namespace SailSocket.Cli.Output;

/// <summary>Source-generated JSON metadata for the values the tool re-writes (no reflection).</summary>
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class CliJson : JsonSerializerContext
{
}
