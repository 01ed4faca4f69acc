using System.Diagnostics.Metrics;

namespace SailSocket.Engine.Diagnostics;

/// <summary>
/// The Engine layer's instruments: the bytes it sends and receives. They belong to the one meter named <c>SailSocket</c>
/// (docs/diagnostics.md): a meter is known to listeners by its name, so this assembly creates its own <see cref="Meter"/>
/// of that name rather than reach up to the Sails layer (docs/design.md, Diagnostics).
/// </summary>
/// <remarks>With no listener, <see cref="Instrument.Enabled"/> is false and a count costs one field read.</remarks>
internal static class EngineMetrics
{
    /// <summary>The meter and instrument prefix shared with the Sails layer.</summary>
    public const string MeterName = "SailSocket";

    private static readonly Meter s_meter = new(MeterName, typeof(EngineMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Engine.IO packet bytes handed to the transport (framing of HTTP and WebSocket excluded).</summary>
    public static readonly Counter<long> BytesSent = s_meter.CreateCounter<long>(
        "sailsocket.bytes.sent", "By", "Engine.IO packet bytes sent, on every transport (HTTP and WebSocket framing excluded).");

    /// <summary>Engine.IO packet bytes received from the transport (framing of HTTP and WebSocket excluded).</summary>
    public static readonly Counter<long> BytesReceived = s_meter.CreateCounter<long>(
        "sailsocket.bytes.received", "By", "Engine.IO packet bytes received, on every transport (HTTP and WebSocket framing excluded).");

    /// <summary>Counts one packet sent and the binary messages that follow it.</summary>
    /// <param name="text">The packet.</param>
    /// <param name="binary">Binary messages sent right after it, or <see langword="null"/>.</param>
    public static void Sent(int text, System.Collections.Generic.IReadOnlyList<System.ReadOnlyMemory<byte>>? binary)
    {
        if (!BytesSent.Enabled)
        {
            return;
        }

        long total = text;
        if (binary is not null)
        {
            for (var i = 0; i < binary.Count; i++)
            {
                total += binary[i].Length;
            }
        }

        BytesSent.Add(total);
    }

    /// <summary>Counts one packet received.</summary>
    /// <param name="length">Its length in bytes.</param>
    public static void Received(int length)
    {
        if (BytesReceived.Enabled)
        {
            BytesReceived.Add(length);
        }
    }
}
