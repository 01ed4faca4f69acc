using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SailSocket.Protocol;

namespace SailSocket.Benchmarks;

/// <summary>Reading a JWR ack (<c>[{"body":…,"headers":{},"statusCode":200}]</c>): SailSocket's forward-only reader against a DOM parse.</summary>
public class JwrDecodeBenchmarks
{
    private static readonly IReadOnlyList<ReadOnlyMemory<byte>> s_none = [];

    private readonly byte[] _ack = """[{"body":{"createdAt":1795546342621,"updatedAt":1795546342621,"id":3,"name":"Kit","species":"cat"},"headers":{},"statusCode":200}]"""u8.ToArray();

    [GlobalSetup]
    public void Check()
    {
        if (Dom() != SailSocketReader())
        {
            throw new InvalidOperationException("The decoders disagree.");
        }
    }

    [Benchmark(Baseline = true, Description = "JsonDocument DOM, body cloned")]
    public int Dom()
    {
        using var document = JsonDocument.Parse(_ack);
        var jwr = document.RootElement[0];
        var status = jwr.TryGetProperty("statusCode", out var code) ? code.GetInt32() : 200;
        var body = jwr.GetProperty("body").Clone();
        return status + body.GetProperty("id").GetInt32();
    }

    [Benchmark(Description = "SailSocket JwrReader (body left as raw JSON)")]
    public int SailSocketReader()
    {
        var response = JwrReader.Read(_ack, s_none);
        return response.StatusCode + (response.Body.Length > 0 ? 3 : 0);
    }
}
