using System;
using System.Collections.Generic;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Testing;

/// <summary>A room of the fake server (<c>sails.sockets.broadcast(room, …)</c>): a name and the sockets that joined it.</summary>
/// <remarks>Thread-safe. A room exists by name; it has no members until a socket joins it.</remarks>
public sealed class FakeRoom
{
    private readonly FakeSailsServer _server;

    internal FakeRoom(FakeSailsServer server, string name)
    {
        _server = server;
        Name = name;
    }

    /// <summary>The room's name.</summary>
    public string Name { get; }

    /// <summary>The open sockets in the room (a snapshot).</summary>
    public IReadOnlyList<FakeSocket> Members => _server.MembersOf(Name);

    /// <summary>
    /// Pushes <c>42["event",data]</c> to every member (<c>sails.sockets.broadcast</c>), except <paramref name="except"/>;
    /// a member that closes meanwhile is skipped. Completes when every send has.
    /// </summary>
    public ValueTask EmitAsync<T>(string eventName, T data, JsonTypeInfo<T> typeInfo, FakeSocket? except = null, CancellationToken cancellationToken = default) =>
        FakeSailsServer.EmitToAsync(Members, eventName, FakeSailsServer.Serialize(data, typeInfo), except, cancellationToken);

    /// <summary>Pushes <c>42["event",json]</c> to every member except <paramref name="except"/>; <paramref name="json"/> is one JSON value.</summary>
    /// <exception cref="ArgumentException"><paramref name="json"/> is not one JSON value.</exception>
    public ValueTask EmitJsonAsync(string eventName, string json, FakeSocket? except = null, CancellationToken cancellationToken = default) =>
        FakeSailsServer.EmitToAsync(Members, eventName, FakeSailsServer.CheckJson(json), except, cancellationToken);

    /// <summary>The name and the member count.</summary>
    public override string ToString() => $"room {Name} ({Members.Count} members)";
}
