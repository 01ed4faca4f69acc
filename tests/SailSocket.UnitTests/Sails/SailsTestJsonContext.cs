using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace SailSocket.UnitTests.Sails;

/// <summary>The echo route's body (protocol.md §4.3), the parts the tests look at.</summary>
internal sealed record EchoBody(string Method, string Url, Dictionary<string, int>? Body);

/// <summary><c>res.badRequest({problem:'bad input'})</c> (protocol.md §5.5).</summary>
internal sealed record Problem(string Description)
{
    [System.Text.Json.Serialization.JsonPropertyName("problem")]
    public string Description { get; init; } = Description;
}

/// <summary>Typed request data: the captured <c>patch /pet/1</c> of protocol.md §4.3.</summary>
internal sealed record PetPatch(string Name);

/// <summary>Source-generated metadata, as an app would have it (the library's typed overloads take a JsonTypeInfo).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EchoBody))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(PetPatch))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(int[]))]
internal sealed partial class SailsTestJsonContext : JsonSerializerContext
{
}
