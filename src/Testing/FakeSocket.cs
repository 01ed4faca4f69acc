using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Testing.Connections;
using SailSocket.Testing.Protocol;

namespace SailSocket.Testing;

/// <summary>
/// One client connection the fake server accepted: its id and handshake, its rooms, and the commands a test gives it —
/// push an event, drop it, disconnect it, stall it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Thread-safe: any thread may emit, join, leave or drop; sends are serialized per socket.</item>
/// <item>A socket is listed in <see cref="FakeSailsServer.Sockets"/> from its Socket.IO connect until its connection ends.</item>
/// </list>
/// </remarks>
public sealed class FakeSocket
{
    private readonly FakeSailsServer _server;
    private FakeConnection? _connection;
    private byte[]? _auth;

    internal FakeSocket(FakeSailsServer server, string engineSessionId, string id, IReadOnlyDictionary<string, string> query, IReadOnlyDictionary<string, string> handshakeHeaders)
    {
        _server = server;
        EngineSessionId = engineSessionId;
        Id = id;
        Query = query;
        HandshakeHeaders = handshakeHeaders;
    }

    /// <summary>The Socket.IO id (<c>sails.sockets.getId(req)</c>): on revision 3 the Engine.IO session id, on revision 4 another random id.</summary>
    public string Id { get; }

    /// <summary>The Engine.IO session id (<c>sid</c> of the open packet).</summary>
    public string EngineSessionId { get; }

    /// <summary>The handshake query, decoded: the app's <c>socket.handshake.query</c>, with the <c>__sails_io_sdk_*</c>, <c>EIO</c> and <c>transport</c> parameters.</summary>
    public IReadOnlyDictionary<string, string> Query { get; }

    /// <summary>
    /// The HTTP headers of the handshake (names compared case-insensitively). Only the loopback server sees them: the
    /// in-memory WebSocket factory is given the URL alone, so this is empty there.
    /// </summary>
    public IReadOnlyDictionary<string, string> HandshakeHeaders { get; }

    /// <summary>The auth object of the Socket.IO 5 CONNECT (<c>socket.handshake.auth</c>); <see cref="JsonValueKind.Undefined"/> when none was sent (always on revision 3).</summary>
    public JsonElement Auth
    {
        get
        {
            if (Volatile.Read(ref _auth) is not { } auth)
            {
                return default;
            }

            using var document = JsonDocument.Parse(auth);
            return document.RootElement.Clone();
        }
    }

    /// <summary>Whether the connection is still open.</summary>
    public bool IsConnected => _connection is { IsClosing: false };

    /// <summary>Whether <see cref="Stall"/> was called.</summary>
    public bool IsStalled => _connection?.IsStalled ?? false;

    /// <summary>The rooms the socket is in (a snapshot).</summary>
    public IReadOnlyList<string> Rooms => _server.RoomsOf(this);

    /// <summary>Completes when the connection has ended, closed by either side.</summary>
    public Task Closed => _connection?.Completion ?? Task.CompletedTask;

    /// <summary>Joins a room (<c>sails.sockets.join</c>); joining twice is harmless. A closed socket leaves every room.</summary>
    /// <exception cref="ArgumentException"><paramref name="room"/> is null or empty.</exception>
    public void Join(string room) => _server.Join(this, room);

    /// <summary>Leaves a room (<c>sails.sockets.leave</c>); leaving a room the socket is not in is harmless.</summary>
    /// <exception cref="ArgumentException"><paramref name="room"/> is null or empty.</exception>
    public void Leave(string room) => _server.Leave(this, room);

    /// <summary>Pushes <c>42["event",data]</c> to this socket, <paramref name="data"/> serialized through <paramref name="typeInfo"/>.</summary>
    /// <exception cref="InvalidOperationException">The socket is closed.</exception>
    public ValueTask EmitAsync<T>(string eventName, T data, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        EmitCoreAsync(eventName, FakeSailsServer.Serialize(data, typeInfo), cancellationToken);

    /// <summary>Pushes <c>42["event",data]</c> to this socket, <paramref name="json"/> being one JSON value.</summary>
    /// <exception cref="ArgumentException"><paramref name="json"/> is not one JSON value.</exception>
    /// <exception cref="InvalidOperationException">The socket is closed.</exception>
    public ValueTask EmitJsonAsync(string eventName, string json, CancellationToken cancellationToken = default) =>
        EmitCoreAsync(eventName, FakeSailsServer.CheckJson(json), cancellationToken);

    /// <summary>
    /// Drops the connection as a server whose transport closes: a close frame without a status code. The client sees a
    /// transport close (<c>SailsDisconnectReason.TransportClose</c>) and reconnects if its options say so. Completes when
    /// the connection has ended (at most 5 seconds after the close was sent).
    /// </summary>
    public Task DropAsync(CancellationToken cancellationToken = default) => Connection.CloseAsync(disconnect: false, cancellationToken);

    /// <summary>
    /// Disconnects the socket as Sails' <c>socket.disconnect(true)</c>: Socket.IO DISCONNECT (<c>41</c>), then the close.
    /// The client sees a server disconnect and does not reconnect on its own.
    /// </summary>
    public Task DisconnectAsync(CancellationToken cancellationToken = default) => Connection.CloseAsync(disconnect: true, cancellationToken);

    /// <summary>
    /// Stalls the connection: the server stops reading it, answering its requests and (revision 4) pinging it, but keeps
    /// it open, as a hung server does. The client's heartbeat notices (after pingInterval + pingTimeout) and its request
    /// timeouts fire. Events a test emits still go out. End it with <see cref="DropAsync"/>.
    /// </summary>
    public void Stall() => Connection.Stall();

    /// <summary>The id and rooms, e.g. <c>socket Ab3… in [orders]</c>.</summary>
    public override string ToString() => $"socket {Id} in [{string.Join(", ", Rooms)}]";

    internal FakeConnection Connection => _connection ?? throw new InvalidOperationException("The socket has no connection yet.");

    internal void Attach(FakeConnection connection) => _connection = connection;

    /// <summary>Keeps the CONNECT payload; false when it is not a JSON object (a real server closes the connection, protocol.md §3.8).</summary>
    internal bool SetAuth(ReadOnlyMemory<byte> json)
    {
        if (json.IsEmpty)
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        Volatile.Write(ref _auth, json.ToArray());
        return true;
    }

    internal ValueTask EmitCoreAsync(string eventName, byte[] data, CancellationToken cancellationToken)
    {
        FakeSailsServer.CheckEventName(eventName);
        return Connection.SendAsync(w => ServerPacketWriter.WriteEvent(w, eventName, data), cancellationToken);
    }
}
