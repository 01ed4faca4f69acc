using System;
using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SailSocket.SocketIo.Internal;

/// <summary>One <see cref="Utf8JsonWriter"/> per thread, reset onto each outgoing message: packets are written synchronously, so no writer outlives one use.</summary>
internal static class JsonWriterCache
{
    /// <summary>
    /// Relaxed escaping keeps non-ASCII text of the basic multilingual plane as UTF-8 instead of \uXXXX (the server is not an
    /// HTML page; characters beyond it, such as emoji, are still escaped as surrogate pairs, which is valid JSON). Control
    /// characters, including the polling record separator 0x1E, are always escaped.
    /// </summary>
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    /// <summary>Parks returned writers so they do not keep the last message buffer reachable; never written to.</summary>
    private static readonly ArrayBufferWriter<byte> s_parking = new(1);

    [ThreadStatic]
    private static Utf8JsonWriter? s_writer;

    public static Utf8JsonWriter Rent(IBufferWriter<byte> output)
    {
        var writer = s_writer;
        if (writer is null)
        {
            return new Utf8JsonWriter(output, s_options);
        }

        s_writer = null;
        writer.Reset(output);
        return writer;
    }

    public static void Return(Utf8JsonWriter writer)
    {
        writer.Reset(s_parking);
        s_writer = writer;
    }
}
