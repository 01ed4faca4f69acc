using System.Text.Json.Serialization;

namespace SailSocket.TestingSample;

/// <summary>An order as the Sails app's <c>/orders</c> routes return it.</summary>
public sealed record Order(int Id, string State);

/// <summary>A pubsub message of the <c>order</c> event: <c>{"verb":"updated","id":7,"data":{…}}</c>.</summary>
public sealed record OrderMessage(string Verb, int Id, Order? Data);

/// <summary>Source-generated JSON metadata (trimming- and AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(Order[]))]
[JsonSerializable(typeof(OrderMessage))]
public sealed partial class OrderJsonContext : JsonSerializerContext;
