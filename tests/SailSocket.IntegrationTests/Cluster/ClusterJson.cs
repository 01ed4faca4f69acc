using System.Text.Json.Serialization;

namespace SailSocket.IntegrationTests.Cluster;

public sealed record NodeReply(string? Node, int Pid);

public sealed record SessionValue(string? Value, string? Node = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeReply))]
[JsonSerializable(typeof(SessionValue))]
public sealed partial class ClusterJson : JsonSerializerContext;
