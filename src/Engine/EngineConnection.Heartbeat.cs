using System;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Engine;

/// <content>
/// The revision-4 heartbeat (docs/protocol.md §2.6): the server pings every pingInterval and the client answers at once.
/// The server is declared dead when no ping arrives within pingInterval + pingTimeout of the handshake or the last ping.
/// </content>
public sealed partial class EngineConnection : ITimerTarget
{
    private static readonly ReadOnlyMemory<byte> s_pong = "3"u8.ToArray();

    private SharedTimer? _ownedTimer;
    private IDisposable? _watchdogRegistration;

    /// <summary>Timestamp after which the server counts as dead; moved forward by each ping.</summary>
    private long _heartbeatDeadline;

    void ITimerTarget.OnTick(long timestamp)
    {
        if (timestamp > Volatile.Read(ref _heartbeatDeadline) && IsOpen)
        {
            var window = Handshake.PingInterval + Handshake.PingTimeout;
            Fail(new EngineConnectionException(EngineConnectionError.PingTimeout, $"The server sent no heartbeat for {window.TotalMilliseconds:0} ms (pingInterval + pingTimeout)."));
        }
    }

    private void StartHeartbeatWatchdog()
    {
        var timer = _options.Timer ?? (_ownedTimer = new SharedTimer(TimeSpan.FromSeconds(1)));
        Volatile.Write(ref _heartbeatDeadline, timer.GetDeadline(Handshake.PingInterval + Handshake.PingTimeout));
        _watchdogRegistration = timer.Register(this);
    }

    private void StopHeartbeatWatchdog()
    {
        Interlocked.Exchange(ref _watchdogRegistration, null)?.Dispose();
        Interlocked.Exchange(ref _ownedTimer, null)?.Dispose();
    }

    private ValueTask OnPingAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var timer = _options.Timer ?? _ownedTimer;
        if (timer is not null)
        {
            Volatile.Write(ref _heartbeatDeadline, timer.GetDeadline(Handshake.PingInterval + Handshake.PingTimeout));
        }

        if (data.IsEmpty)
        {
            return SendCoreAsync(s_pong, null, cancellationToken);
        }

        // A ping with data (only "2probe" in practice) is answered with the same data.
        var pong = new byte[data.Length + 1];
        pong[0] = (byte)'3';
        data.Span.CopyTo(pong.AsSpan(1));
        return SendCoreAsync(pong, null, cancellationToken);
    }
}
