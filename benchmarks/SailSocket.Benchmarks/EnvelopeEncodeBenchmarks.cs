using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using SailSocket.Engine;
using SailSocket.Protocol;
using SailSocket.SocketIo.Internal;
using SailSocket.SocketIo.Protocol;

namespace SailSocket.Benchmarks;

/// <summary>
/// Encoding one Sails request (<c>420["post",{envelope}]</c>) the way SailSocket does — straight into a pooled buffer
/// with a reused Utf8JsonWriter — against the usual approach of building strings and converting them to bytes.
/// </summary>
public class EnvelopeEncodeBenchmarks
{
    private static readonly Dictionary<string, string> s_defaultHeaders = new Dictionary<string, string> { ["x-global"] = "G" };
    private readonly Payload _data = new("Rex", "dog", 3);
    private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase) { ["x-probe"] = "P" };

    [GlobalSetup]
    public void Check()
    {
        var expected = Naive();
        var actual = SailSocketWriter();
        if (expected != actual)
        {
            throw new InvalidOperationException($"The encoders disagree:\n{expected}\n{actual}");
        }
    }

    [Benchmark(Baseline = true, Description = "strings + JsonSerializer + UTF-8 copy")]
    public string Naive()
    {
        var data = JsonSerializer.Serialize(_data, BenchJson.Default.Payload);
        var headers = new Dictionary<string, string>(_headers, StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in s_defaultHeaders)
        {
            headers.TryAdd(k, v);
        }

        var envelope = "{\"method\":\"post\",\"headers\":" + JsonSerializer.Serialize(headers, BenchJson.Default.DictionaryStringString) + ",\"data\":" + data + ",\"url\":\"/pet\"}";
        var packet = "421[\"post\"," + envelope + "]";
        var bytes = Encoding.UTF8.GetBytes(packet);
        return Encoding.UTF8.GetString(bytes);
    }

    [Benchmark(Description = "SailSocket: pooled buffer + Utf8JsonWriter")]
    public string SailSocketWriter()
    {
        using var message = EngineMessageWriter.Rent(ArrayPool<byte>.Shared);
        Write(message);
        return Encoding.UTF8.GetString(message.WrittenMemory.Span);
    }

    [Benchmark(Description = "SailSocket, bytes only (what is sent)")]
    public int SailSocketWriterBytesOnly()
    {
        using var message = EngineMessageWriter.Rent(ArrayPool<byte>.Shared);
        Write(message);
        return message.WrittenCount;
    }

    private void Write(EngineMessageWriter message)
    {
        SocketIoPacketWriter.WriteHeader(message, SocketIoPacketType.Event, ackId: 1);
        var json = JsonWriterCache.Rent(message);
        json.WriteStartArray();
        json.WriteStringValue("post");
        SailsRequestWriter.Write(json, new SailsEnvelope<Payload>("post", "/pet", _headers, s_defaultHeaders, default, _data, BenchJson.Default.Payload));
        json.WriteEndArray();
        json.Flush();
        JsonWriterCache.Return(json);
    }
}

public sealed record Payload(string Name, string Species, int Age);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Payload))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class BenchJson : JsonSerializerContext;
