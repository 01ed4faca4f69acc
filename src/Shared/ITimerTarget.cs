// Shared source (src/Shared), compiled into each assembly that needs it as its own internal type, in a namespace of
// that assembly: no assembly sees another's internals, and a test assembly that sees all three finds no duplicate name.
#if SAILSOCKET_ENGINE
namespace SailSocket.Engine;
#elif SAILSOCKET_SOCKETIO
namespace SailSocket.SocketIo.Internal;
#elif SAILSOCKET_SAILS
namespace SailSocket.Internal;
#else
#error Define the assembly's SAILSOCKET_* constant (src/*/*.csproj).
#endif

/// <summary>Something a <see cref="SharedTimer"/> checks on every tick: a heartbeat watchdog, a table of request deadlines.</summary>
/// <remarks>
/// <see cref="OnTick"/> runs on a thread-pool thread, concurrently with everything else the target does. It must be quick
/// and must not block; exceptions it throws are swallowed so that one target cannot stop the timer for the others.
/// </remarks>
internal interface ITimerTarget
{
    /// <summary>Called on every tick.</summary>
    /// <param name="timestamp">The current <see cref="System.TimeProvider.GetTimestamp"/> of the timer's time provider.</param>
    void OnTick(long timestamp);
}
