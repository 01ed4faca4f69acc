using System.Text.Json;
using System.Text.Json.Serialization;

namespace SailSocket.IntegrationTests.Resources;

/// <summary>A pet as the blueprints return it, populated (the default): owner an object or null, tags an array.</summary>
public sealed record PetRecord(long Id, string Name, string Species, double Age, OwnerRef? Owner, TagRef[]? Tags, long CreatedAt, long UpdatedAt);

/// <summary>A pet with nothing populated (<c>populate=false</c>): owner an id or null, no tags.</summary>
public sealed record FlatPet(long Id, string Name, string Species, double Age, long? Owner);

/// <summary>A pet as select returns it: some attributes only.</summary>
public sealed record PetName(long Id, string Name, string? Species);

/// <summary>The owner inside a populated pet (not populated further).</summary>
public sealed record OwnerRef(long Id, string Name);

/// <summary>A tag inside a populated pet.</summary>
public sealed record TagRef(long Id, string Label);

/// <summary>An owner as the blueprints return it.</summary>
public sealed record OwnerRecord(long Id, string Name, string? Email, JsonElement Pets);

/// <summary>A tag as the blueprints return it.</summary>
public sealed record TagRecord(long Id, string Label, JsonElement Pets);

/// <summary>A pet whose age is a string: does not match the server's records.</summary>
public sealed record WrongPet(long Id, string Name, string Age);

public sealed record NewPet(string Name, double? Age = null, long? Owner = null, string? Species = null);

public sealed record NewOwner(string? Name, string? Email = null);

public sealed record NewTag(string Label);

public sealed record PetAge(double Age);

public sealed record PetChange(string? Name = null, JsonElement? Age = null, long? Owner = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PetRecord))]
[JsonSerializable(typeof(FlatPet))]
[JsonSerializable(typeof(PetName))]
[JsonSerializable(typeof(OwnerRecord))]
[JsonSerializable(typeof(TagRecord))]
[JsonSerializable(typeof(WrongPet))]
[JsonSerializable(typeof(NewPet))]
[JsonSerializable(typeof(NewOwner))]
[JsonSerializable(typeof(NewTag))]
[JsonSerializable(typeof(PetAge))]
[JsonSerializable(typeof(PetChange))]
public sealed partial class ResourceJson : JsonSerializerContext;
