using System;
using System.Threading.Tasks;
using SailSocket.Engine.Protocol;

namespace SailSocket.Engine;

/// <summary>
/// A read-only view of an <see cref="EngineConnection"/>: what the layers above show of the connection they own
/// (revision, transport, handshake, state, upgrade outcome) without handing out the connection itself, whose
/// receive, send and close belong to its owner's receive loop.
/// </summary>
/// <remarks>Obtained from <see cref="EngineConnection.Info"/>; reads the live connection, allocates nothing. Thread-safe.</remarks>
public readonly struct EngineConnectionInfo : IEquatable<EngineConnectionInfo>
{
    private readonly EngineConnection _connection;

    internal EngineConnectionInfo(EngineConnection connection) => _connection = connection;

    /// <inheritdoc cref="EngineConnection.Revision"/>
    public EngineRevision Revision => _connection.Revision;

    /// <inheritdoc cref="EngineConnection.Transport"/>
    public string Transport => _connection.Transport;

    /// <inheritdoc cref="EngineConnection.Handshake"/>
    public EngineHandshake Handshake => _connection.Handshake;

    /// <inheritdoc cref="EngineConnection.IsOpen"/>
    public bool IsOpen => _connection.IsOpen;

    /// <inheritdoc cref="EngineConnection.CloseReason"/>
    public EngineConnectionError? CloseReason => _connection.CloseReason;

    /// <inheritdoc cref="EngineConnection.UpgradeError"/>
    public Exception? UpgradeError => _connection.UpgradeError;

    /// <summary>The upgrade attempt: completes when the connection has switched to WebSocket or stayed on polling. Never faults.</summary>
    internal Task UpgradeTask => _connection.UpgradeTask;

    /// <summary>Whether the WebSocket in use is the managed engine's (tests).</summary>
    internal bool UsesManagedWebSocket => _connection.UsesManagedWebSocket;

    /// <summary>Whether both views show the same connection.</summary>
    /// <param name="left">A view.</param>
    /// <param name="right">Another view.</param>
    /// <returns><see langword="true"/> when they view the same connection.</returns>
    public static bool operator ==(EngineConnectionInfo left, EngineConnectionInfo right) => left.Equals(right);

    /// <summary>Whether the views show different connections.</summary>
    /// <param name="left">A view.</param>
    /// <param name="right">Another view.</param>
    /// <returns><see langword="true"/> when they view different connections.</returns>
    public static bool operator !=(EngineConnectionInfo left, EngineConnectionInfo right) => !left.Equals(right);

    /// <summary>Whether <paramref name="other"/> shows the same connection.</summary>
    /// <param name="other">The other view.</param>
    /// <returns><see langword="true"/> when both view the same connection.</returns>
    public bool Equals(EngineConnectionInfo other) => ReferenceEquals(_connection, other._connection);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EngineConnectionInfo other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _connection is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(_connection);
}
