using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Testing;

/// <content>Sockets, rooms and server events: what the test pushes to one socket, a room or everyone.</content>
public sealed partial class FakeSailsServer
{
    /// <summary>The open sockets, in connection order (a snapshot).</summary>
    public IReadOnlyList<FakeSocket> Sockets
    {
        get
        {
            lock (_gate)
            {
                return [.. _sockets];
            }
        }
    }

    /// <summary>The room of that name (it need not have members yet).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public FakeRoom Room(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new FakeRoom(this, name);
    }

    /// <summary>
    /// Waits for the next socket to connect that no earlier call returned (sockets are queued as they connect, so one that
    /// connected before the call counts), within <paramref name="timeout"/> of real time.
    /// </summary>
    /// <exception cref="TimeoutException">No new socket within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<FakeSocket> WaitForSocketAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _newSockets.WaitAsync(static _ => true, timeout, "socket connected", cancellationToken);

    /// <summary>Pushes <c>42["event",data]</c> to every open socket (<c>sails.sockets.blast</c>), except <paramref name="except"/>.</summary>
    public ValueTask BroadcastAsync<T>(string eventName, T data, JsonTypeInfo<T> typeInfo, FakeSocket? except = null, CancellationToken cancellationToken = default) =>
        EmitToAsync(Sockets, eventName, Serialize(data, typeInfo), except, cancellationToken);

    /// <summary>Pushes <c>42["event",json]</c> to every open socket except <paramref name="except"/>; <paramref name="json"/> is one JSON value.</summary>
    /// <exception cref="ArgumentException"><paramref name="json"/> is not one JSON value.</exception>
    public ValueTask BroadcastJsonAsync(string eventName, string json, FakeSocket? except = null, CancellationToken cancellationToken = default) =>
        EmitToAsync(Sockets, eventName, CheckJson(json), except, cancellationToken);

    internal static async ValueTask EmitToAsync(IReadOnlyList<FakeSocket> targets, string eventName, byte[] data, FakeSocket? except, CancellationToken cancellationToken)
    {
        CheckEventName(eventName);
        foreach (var socket in targets)
        {
            if (ReferenceEquals(socket, except) || !socket.IsConnected)
            {
                continue;
            }

            try
            {
                await socket.EmitCoreAsync(eventName, data, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Closed between the snapshot and the send: a broadcast skips it, as Sails' does.
            }
        }
    }

    internal static byte[] Serialize<T>(T data, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return JsonSerializer.SerializeToUtf8Bytes(data, typeInfo);
    }

    internal static byte[] CheckJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return FakeResponse.Json(json).BodyUtf8!;
    }

    internal static void CheckEventName(string eventName)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
    }

    internal IReadOnlyList<string> RoomsOf(FakeSocket socket)
    {
        var rooms = new List<string>();
        lock (_gate)
        {
            foreach (var (name, members) in _rooms)
            {
                if (members.Contains(socket))
                {
                    rooms.Add(name);
                }
            }
        }

        rooms.Sort(StringComparer.Ordinal);
        return rooms;
    }

    internal IReadOnlyList<FakeSocket> MembersOf(string room)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(room, out var members) ? [.. members] : [];
        }
    }

    internal void Join(FakeSocket socket, string room)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        lock (_gate)
        {
            if (!_sockets.Contains(socket))
            {
                return;
            }

            if (!_rooms.TryGetValue(room, out var members))
            {
                _rooms[room] = members = [];
            }

            members.Add(socket);
        }
    }

    internal void Leave(FakeSocket socket, string room)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        lock (_gate)
        {
            if (_rooms.TryGetValue(room, out var members) && members.Remove(socket) && members.Count == 0)
            {
                _rooms.Remove(room);
            }
        }
    }
}
