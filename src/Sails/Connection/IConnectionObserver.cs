using System;
using System.Threading.Tasks;
using SailSocket.SocketIo;

namespace SailSocket.Connection;

/// <summary>
/// What the <see cref="ConnectionSupervisor"/> tells its socket. Called outside the supervisor's lock, in the order things
/// happen; the socket turns them into lifecycle events, replays and the queue flush.
/// </summary>
internal interface IConnectionObserver
{
    /// <summary>A reconnection attempt is about to start, after <paramref name="delay"/> (none for a manual reconnect).</summary>
    void OnReconnecting(int attempt, TimeSpan? delay);

    /// <summary>An attempt failed with <paramref name="error"/> (already a Sails exception).</summary>
    void OnAttemptFailed(int attempt, Exception error);

    /// <summary>
    /// <paramref name="connection"/> is the socket's connection now; the queue holds requests until this returns and the
    /// socket has flushed it.
    /// </summary>
    Task OnConnectedAsync(LiveConnection connection);

    /// <summary><paramref name="connection"/> ended for <paramref name="reason"/>.</summary>
    void OnLost(LiveConnection connection, SocketIoDisconnectedException reason);

    /// <summary>Reconnection gave up after <paramref name="attempt"/> with <paramref name="error"/>.</summary>
    void OnGaveUp(int attempt, Exception error);
}
