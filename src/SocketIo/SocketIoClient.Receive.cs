using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.SocketIo.Internal;
using SailSocket.SocketIo.Protocol;

namespace SailSocket.SocketIo;

/// <content>The receive loop: one per client, dispatching packets in arrival order.</content>
public sealed partial class SocketIoClient
{
    private static readonly JsonEncodedText s_sid = JsonEncodedText.Encode("sid");
    private static readonly JsonEncodedText s_message = JsonEncodedText.Encode("message");

    private async Task ReceiveLoopAsync()
    {
        SocketIoDisconnectedException reason;
        try
        {
            while (true)
            {
                var message = await _engine.ReceiveAsync(_receiveStop.Token).ConfigureAwait(false);
                if (message.IsBinary)
                {
                    if (_binary.Add(message.Data.Span))
                    {
                        DispatchBinary();
                    }

                    continue;
                }

                if (_binary.IsCollecting)
                {
                    throw new SocketIoProtocolException("A text packet arrived while binary attachments were still expected.", 0);
                }

                if (Dispatch(message.Data))
                {
                    reason = new SocketIoDisconnectedException(SocketIoDisconnectReason.ServerDisconnect, "The server disconnected this client (io server disconnect).");
                    break;
                }
            }
        }
        catch (SocketIoProtocolException ex)
        {
            reason = new SocketIoDisconnectedException(SocketIoDisconnectReason.ProtocolError, $"The server broke the Socket.IO protocol: {ex.Message}", ex);
        }
        catch (EngineConnectionException ex)
        {
            reason = new SocketIoDisconnectedException(
                ex.Error == EngineConnectionError.ClosedByClient ? SocketIoDisconnectReason.ClientDisconnect : SocketIoDisconnectReason.TransportClosed,
                $"The connection ended: {ex.Message}",
                ex);
        }
        catch (OperationCanceledException ex)
        {
            reason = new SocketIoDisconnectedException(SocketIoDisconnectReason.ClientDisconnect, "The client disconnected.", ex);
        }
#pragma warning disable CA1031 // Anything else came from handling what the server sent: end this connection, never silently and never the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reason = new SocketIoDisconnectedException(SocketIoDisconnectReason.ProtocolError, $"The server's data could not be handled: {ex.Message}", ex);
        }

        SetDisconnected(reason);
        await _engine.CloseAsync().ConfigureAwait(false);
        _engine.ReleaseReceiveBuffer();

        // The loop ends once, whoever ended it first (this client, the server, the network): notify here, once.
        if (_connected.Task.IsCompletedSuccessfully)
        {
            try
            {
                _options.OnDisconnected?.Invoke(Volatile.Read(ref _disconnected)!);
            }
#pragma warning disable CA1031 // The callback belongs to the layer above; its failure must not fault the loop task.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    /// <summary>Handles one text packet; returns true when the server disconnected this client.</summary>
    private bool Dispatch(ReadOnlyMemory<byte> data)
    {
        var packet = SocketIoPacketReader.Parse(data, _options.MaxAttachments);
        if (packet.Type is SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck)
        {
            // Collected whatever the namespace, so that its attachments are consumed; dropped when complete if not ours.
            _binary.Start(packet);
            return false;
        }

        if (packet.Namespace != _options.Namespace)
        {
            return false;
        }

        var payload = data[(int)(data.Length - packet.Data.Length)..];
        switch (packet.Type)
        {
            case SocketIoPacketType.Connect:
                // Protocol 4 sends no payload: the socket id is the Engine.IO sid, prefixed by a non-main namespace (§3.3).
                _connected.TrySetResult(ReadString(payload.Span, s_sid) ?? (_options.Namespace == "/" ? _engine.Handshake.SessionId : _options.Namespace + "#" + _engine.Handshake.SessionId));
                return false;
            case SocketIoPacketType.ConnectError:
                _connected.TrySetException(new SocketIoConnectException(packet.Namespace, ReadConnectError(payload.Span)));
                return false;
            case SocketIoPacketType.Disconnect:
                return true;
            case SocketIoPacketType.Event:
                RaiseEvent(payload, packet.AckId, s_noAttachments);
                return false;
            case SocketIoPacketType.Ack:
                _acks.TryComplete(packet.AckId, new SocketIoAck(payload.ToArray(), s_noAttachments));
                return false;
            default:
                return false;
        }
    }

    private void DispatchBinary()
    {
        var (type, ns, ackId, data, attachments) = _binary.Take();
        if (ns != _options.Namespace)
        {
            return;
        }

        if (type == SocketIoPacketType.BinaryAck)
        {
            _acks.TryComplete(ackId, new SocketIoAck(data, attachments));
        }
        else
        {
            RaiseEvent(data, ackId, attachments);
        }
    }

    private void RaiseEvent(ReadOnlyMemory<byte> arguments, long ackId, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        var name = SocketIoJsonArray.ReadEventName(arguments.Span);
        var handler = _options.OnEvent;
        try
        {
            handler?.Invoke(new SocketIoEvent(name, arguments, ackId, attachments));
        }
#pragma warning disable CA1031 // A failing handler of the layer above must not stop the receive loop.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        if (ackId >= 0 && _options.AcknowledgeEvents)
        {
            // The server's callback waits for this; the loop must not wait for the send.
            AckAsync<object?>(ackId, null, null).ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private static string? ReadString(ReadOnlySpan<byte> json, JsonEncodedText property)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(property.EncodedUtf8Bytes);
                reader.Read();
                if (match && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new SocketIoProtocolException($"Invalid JSON in a connect packet: {ex.Message}", reader.BytesConsumed, ex);
        }

        return null;
    }

    private static string ReadConnectError(ReadOnlySpan<byte> json)
    {
        if (!json.IsEmpty && json[0] == (byte)'"')
        {
            try
            {
                return JsonSerializer.Deserialize(json, SocketIoJsonContext.Default.String) ?? string.Empty;
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                throw new SocketIoProtocolException($"Invalid JSON in a connect error: {ex.Message}", 0, ex);
            }
        }

        return ReadString(json, s_message) ?? "(no message)";
    }
}
