using System.Text.Json.Serialization;

namespace SailSocket.Testing.Internal;

/// <summary>The kit's own JSON (strings), source-generated so that nothing reflects (trimming/AOT).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class FakeJsonContext : JsonSerializerContext;
