using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using SailSocket.Engine.Protocol;

namespace SailSocket.Benchmarks;

/// <summary>
/// Splitting a long-polling payload of 8 packets into packets, both revisions (4: separated by 0x1e; 3: <c>len:packet</c>),
/// contiguous and as the same bytes split into 16-byte segments (how a body arrives from the network), against the
/// usual approach: decode to a string, split, encode each packet back to bytes. With <see cref="NonAscii"/>, the names hold
/// characters of every UTF-8 width, which the revision-3 reader counts one by one.
/// </summary>
public class PayloadDecodeBenchmarks
{
    private const int SegmentSize = 16;
    private ReadOnlySequence<byte> _payload;

    [Params(EngineRevision.V3, EngineRevision.V4)]
    public EngineRevision Revision { get; set; }

    [Params(false, true)]
    public bool Segmented { get; set; }

    /// <summary>Names with non-ASCII characters (2-, 3- and 4-byte UTF-8: on revision 3 each counts 1, 1 and 2 units).</summary>
    [Params(false, true)]
    public bool NonAscii { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var packets = Enumerable.Range(0, 8).Select(k => $"42[\"user\",{{\"verb\":\"updated\",\"id\":{k},\"data\":{{\"name\":\"{(NonAscii ? "Kït-€😀" : "Kit-")}{k}\",\"species\":\"cat\"}}}}]").ToArray();
        var text = Revision == EngineRevision.V4
            ? string.Join('\u001e', packets)
            : string.Concat(packets.Select(p => p.Length.ToString(CultureInfo.InvariantCulture) + ":" + p));
        var bytes = Encoding.UTF8.GetBytes(text);
        _payload = Segmented ? Segments.Split(bytes, SegmentSize) : new ReadOnlySequence<byte>(bytes);
        if (Naive() != SailSocketReader())
        {
            throw new InvalidOperationException("The decoders disagree.");
        }
    }

    [Benchmark(Baseline = true, Description = "UTF-8 string, split, bytes per packet")]
    public int Naive()
    {
        var text = Encoding.UTF8.GetString(_payload.IsSingleSegment ? _payload.FirstSpan : _payload.ToArray());
        var total = 0;
        if (Revision == EngineRevision.V4)
        {
            foreach (var packet in text.Split('\u001e'))
            {
                total += Encoding.UTF8.GetBytes(packet).Length;
            }

            return total;
        }

        for (var at = 0; at < text.Length;)
        {
            var colon = text.IndexOf(':', at);
            var length = int.Parse(text.AsSpan(at, colon - at), CultureInfo.InvariantCulture);
            total += Encoding.UTF8.GetBytes(text.Substring(colon + 1, length)).Length;
            at = colon + 1 + length;
        }

        return total;
    }

    [Benchmark(Description = "SailSocket EnginePayloadReader (slices)")]
    public int SailSocketReader()
    {
        var total = 0;
        var position = _payload.Start;
        while (EnginePayloadReader.TryReadPacket(_payload, Revision, ref position, out var packet))
        {
            total += (int)packet.Length;
        }

        return total;
    }
}
