using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.SocketIo.Internal;
using SailSocket.SocketIo.Protocol;

namespace SailSocket.SocketIo;

/// <content>What the connection's receive loop hands to this namespace: its connect reply, events and acks.</content>
public sealed partial class SocketIoClient
{
    private static readonly JsonEncodedText s_sid = JsonEncodedText.Encode("sid");
    private static readonly JsonEncodedText s_message = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText s_data = JsonEncodedText.Encode("data");

    /// <summary>The server's CONNECT reply (or, on protocol 4, its unsolicited <c>40</c> for <c>/</c>).</summary>
    internal void OnConnect(ReadOnlySpan<byte> payload)
    {
        // Read even when already connected (a repeated reply): a malformed one is a protocol error either way.
        var id = ReadProperty(payload, s_sid, out _);
        if (_connected.Task.IsCompleted)
        {
            return;
        }

        // Protocol 4 sends no payload: the socket id is the Engine.IO sid, prefixed by a non-main namespace (§3.3).
        var sid = EngineHandshake.SessionId;
        _connected.TrySetResult(id ?? (IsMainNamespace ? sid : Namespace + "#" + sid));
    }

    internal void OnConnectError(ReadOnlySpan<byte> payload)
    {
        if (!_connected.Task.IsCompleted)
        {
            var (message, data) = ReadConnectError(payload, ProtocolRevision);
            _connected.TrySetException(new SocketIoConnectException(Namespace, RedactSecrets(message), data));
        }
    }

    /// <summary>
    /// The server's text without the credentials of the handshake (headers, query, cookies), those the layers above send
    /// (<see cref="SailSocket.Engine.EngineOptions.RedactedHeaders"/>) and those of the CONNECT
    /// <c>auth</c> payload (<see cref="SecretRedaction"/>): a middleware's error may echo them, and it reaches an
    /// exception message.
    /// </summary>
    private string RedactSecrets(string text)
    {
        var engine = _connection.Options.Engine;
        return new SecretSet()
            .AddHeaders(engine.Headers)
            .AddHeaders(engine.RedactedHeaders)
            .AddQuery(engine.Query)
            .AddCookies(engine.Cookies)
            .AddJsonStrings(_options.Auth.Span)
            .Redact(text);
    }

    /// <summary>An ack from the receive loop: its waiter, if still waiting, completes through the connection's <see cref="AckHandoff"/>.</summary>
    internal void OnAck(long ackId, byte[] arguments, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        if (_acks.TryTake(ackId) is { } pending)
        {
            _connection.AckHandoff.Complete(pending, new SocketIoAck(arguments, attachments));
        }
    }

    internal void OnEvent(ReadOnlyMemory<byte> arguments, long ackId, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        var name = SocketIoJsonArray.ReadEventName(arguments.Span);
        var handler = _options.OnEvent;
        try
        {
            handler?.Invoke(new SocketIoEvent(name, arguments, ackId, attachments));
        }
        catch (SocketIoProtocolException)
        {
            // The handler read the event's JSON (SocketIoEvent.GetArgument) and it is broken: malformed, or nested deeper
            // than the reader's 64 levels. The server's packet is at fault, not the handler: the connection ends with a
            // protocol error instead of the event vanishing without a trace.
            throw;
        }
#pragma warning disable CA1031 // A failing handler of the layer above must not stop the receive loop.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        if (ackId >= 0 && _options.AcknowledgeEvents)
        {
            AcknowledgeAutomatically(ackId);
        }
    }

    /// <summary>
    /// Sends the empty ack an event asked for, without making the loop wait for the send: at most
    /// <see cref="SocketIoNamespaceOptions.MaxQueuedAutomaticAcks"/> wait to be written, and one more is dropped and
    /// counted, so that a server that floods acked events and stops reading cannot grow the client's memory.
    /// </summary>
    private void AcknowledgeAutomatically(long ackId)
    {
        // Takes a place only if one is free, so that the count never exceeds the bound, not even for a moment.
        var queued = Volatile.Read(ref _queuedAutomaticAcks);
        while (true)
        {
            if (queued >= _options.MaxQueuedAutomaticAcks)
            {
                Interlocked.Increment(ref _droppedAutomaticAcks);
                return;
            }

            var seen = Interlocked.CompareExchange(ref _queuedAutomaticAcks, queued + 1, queued);
            if (seen == queued)
            {
                break;
            }

            queued = seen;
        }

        var ack = AckAsync<object?>(ackId, null, null);
        if (ack.IsCompleted)
        {
            OnAutomaticAckDone(ack, this);
            return;
        }

        ack.ContinueWith(OnAutomaticAckDone, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>An automatic ack was written or failed (the connection ended): its place in the bound is free.</summary>
    private static void OnAutomaticAckDone(Task ack, object? state)
    {
        _ = ack.Exception;
        Interlocked.Decrement(ref ((SocketIoClient)state!)._queuedAutomaticAcks);
    }

    /// <summary>Reads a string property of a JSON object, and the raw JSON of <see cref="s_data"/> on the way.</summary>
    private static string? ReadProperty(ReadOnlySpan<byte> json, JsonEncodedText property, out ReadOnlyMemory<byte> data)
    {
        data = default;
        if (json.IsEmpty)
        {
            return null;
        }

        string? found = null;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isProperty = reader.ValueTextEquals(property.EncodedUtf8Bytes);
                var isData = reader.ValueTextEquals(s_data.EncodedUtf8Bytes);
                reader.Read();
                if (isProperty && reader.TokenType == JsonTokenType.String)
                {
                    found ??= reader.GetString();
                }
                else if (isData)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    data = json[start..(int)reader.BytesConsumed].ToArray();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new SocketIoProtocolException($"Invalid JSON in a connect packet: {ex.Message}", reader.BytesConsumed, ex);
        }

        return found;
    }

    /// <summary>
    /// The reason and data of a CONNECT_ERROR (docs/protocol.md §3.4): protocol 5 sends <c>{"message":…,"data":…}</c>;
    /// protocol 4 a string, or (socket.io 4.x with <c>allowEIO3</c>) the error's <c>data</c> object itself.
    /// </summary>
    private static (string Message, ReadOnlyMemory<byte> Data) ReadConnectError(ReadOnlySpan<byte> json, int protocol)
    {
        if (!json.IsEmpty && json[0] == (byte)'"')
        {
            try
            {
                return (JsonSerializer.Deserialize(json, SocketIoJsonContext.Default.String) ?? string.Empty, default);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                throw new SocketIoProtocolException($"Invalid JSON in a connect error: {ex.Message}", 0, ex);
            }
        }

        var message = ReadProperty(json, s_message, out var data);
        if (protocol == 4 && !json.IsEmpty)
        {
            return (message ?? System.Text.Encoding.UTF8.GetString(json), json.ToArray());
        }

        return (message ?? "(no message)", data);
    }
}
