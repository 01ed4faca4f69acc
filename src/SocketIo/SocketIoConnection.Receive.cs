using System;
using System.Buffers;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.SocketIo.Internal;
using SailSocket.SocketIo.Protocol;

namespace SailSocket.SocketIo;

/// <content>The receive loop: one per connection, routing packets to namespace clients in arrival order.</content>
public sealed partial class SocketIoConnection
{
    private async Task ReceiveLoopAsync()
    {
        SocketIoDisconnectedException reason;
        try
        {
            while (true)
            {
                // No token: closing the Engine connection ends the receive, and a cancellable token would cost a
                // registration on every WebSocket read.
                // While the receive waits for the network, the ack completed last runs its continuation on this thread.
                var message = await AckHandoff.WaitFor(_engine.ReceiveAsync(CancellationToken.None));
                if (message.IsBinary)
                {
                    if ((_binary ??= new BinaryPacketAssembler()).Add(message.Data.Span))
                    {
                        DispatchBinary();
                    }

                    continue;
                }

                if (_binary is { IsCollecting: true })
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
                SocketIoDisconnectedException.ReasonOf(ex.Error),
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

        // An ack still held has its answer: its waiter completes with it, not with the disconnect.
        AckHandoff.Flush();

        SocketIoClient? main;
        SocketIoClient[] others;
        lock (_gate)
        {
            Volatile.Write(ref _closed, reason);
            main = _main;
            others = _others;
            _main = null;
            _others = [];
        }

        await _engine.CloseAsync().ConfigureAwait(false);
        _engine.ReleaseReceiveBuffer();

        // The loop ends once, whoever ended it first (a client, the server, the network): every namespace learns it here.
        main?.Close(reason, notify: true);
        foreach (var client in others)
        {
            client.Close(reason, notify: true);
        }

        try
        {
            _options.OnClosed?.Invoke(reason);
        }
#pragma warning disable CA1031 // The callback belongs to the layer above; its failure must not fault the loop task.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>
    /// The client for a namespace, by its UTF-8 bytes (empty for <c>/</c>): the main namespace is one field read, others a
    /// byte comparison over a handful of names — no string is made per packet.
    /// </summary>
    private SocketIoClient? Find(in ReadOnlySequence<byte> namespaceUtf8)
    {
        if (namespaceUtf8.IsEmpty)
        {
            return Volatile.Read(ref _main);
        }

        var others = Volatile.Read(ref _others);
        if (others.Length == 0)
        {
            return null;
        }

        var name = namespaceUtf8.IsSingleSegment ? namespaceUtf8.FirstSpan : namespaceUtf8.ToArray();
        foreach (var client in others)
        {
            if (name.SequenceEqual(client.NamespaceUtf8))
            {
                return client;
            }
        }

        return null;
    }

    /// <summary>Handles one text packet; returns true when the server disconnected the client that owns this connection.</summary>
    private bool Dispatch(ReadOnlyMemory<byte> data)
    {
        var packet = SocketIoPacketReader.Parse(new ReadOnlySequence<byte>(data), _options.MaxAttachments, decodeNamespace: false, out var namespaceUtf8);
        if (packet.Type != SocketIoPacketType.Ack)
        {
            // A held ack is delivered before anything else runs a caller's code here: an event handler may wait for it.
            AckHandoff.Flush();
        }

        var target = Find(namespaceUtf8);
        if (packet.Type is SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck)
        {
            // Collected whatever the namespace, so that its attachments are consumed; handed over when complete.
            (_binary ??= new BinaryPacketAssembler()).Start(packet, target);
            return false;
        }

        var payload = data[(int)(data.Length - packet.Data.Length)..];
        if (target is null)
        {
            if (packet.Type == SocketIoPacketType.Connect && namespaceUtf8.IsEmpty)
            {
                // §3.3: on protocol 4 the server connects "/" by itself, whether or not a client for "/" exists yet.
                // (A revision-3-only server reached over a WebSocket with revision 4 does the same on "protocol 5".)
                lock (_gate)
                {
                    target = _main;
                    _mainConnectedByServer = target is null;
                }

                target?.OnConnect(payload.Span);
            }

            return false;
        }

        switch (packet.Type)
        {
            case SocketIoPacketType.Connect:
                target.OnConnect(payload.Span);
                return false;
            case SocketIoPacketType.ConnectError:
                target.OnConnectError(payload.Span);
                return false;
            case SocketIoPacketType.Disconnect:
                if (target.OwnsConnection)
                {
                    // The single-namespace client: its connection ends with it (and tells it on the way out).
                    return true;
                }

                Unregister(target);
                target.Close(new SocketIoDisconnectedException(SocketIoDisconnectReason.ServerDisconnect, $"The server disconnected this client from namespace '{target.Namespace}' (io server disconnect)."), notify: true);
                return false;
            case SocketIoPacketType.Event:
                target.OnEvent(payload, packet.AckId, SocketIoClient.NoAttachments);
                return false;
            case SocketIoPacketType.Ack:
                target.OnAck(packet.AckId, payload.ToArray(), SocketIoClient.NoAttachments);
                return false;
            default:
                return false;
        }
    }

    private void DispatchBinary()
    {
        var (type, target, ackId, data, attachments) = _binary!.Take();
        if (target is null)
        {
            return;
        }

        if (type == SocketIoPacketType.BinaryAck)
        {
            target.OnAck(ackId, data, attachments);
        }
        else
        {
            target.OnEvent(data, ackId, attachments);
        }
    }
}
