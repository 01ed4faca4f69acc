using System.Text.Json.Serialization;

namespace SailSocket.SocketIo.Internal;

/// <summary>Source-generated metadata for the few values this layer deserialises itself (AOT-safe).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class SocketIoJsonContext : JsonSerializerContext
{
}
