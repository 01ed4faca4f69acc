using System;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine.Protocol;

namespace SailSocket.Engine;

/// <content>
/// The heartbeat (docs/protocol.md §2.6), whose direction depends on the revision.
/// <list type="bullet">
/// <item>Revision 4: the server pings every pingInterval and the client answers at once. The server is declared dead when
/// no ping arrives within pingInterval + pingTimeout of the handshake or the last ping.</item>
/// <item>Revision 3: the client pings every pingInterval (from the shared timer) and the server answers <c>3</c>. As in
/// engine.io-client 3, after each ping some packet must arrive within pingTimeout, and any packet moves the deadline to
/// pingInterval + pingTimeout from its arrival.</item>
/// </list>
/// </content>
public sealed partial class EngineConnection
{
    private static readonly ReadOnlyMemory<byte> s_pong = "3"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> s_ping = "2"u8.ToArray();

    /// <summary>The process-wide timer leased for the watchdog (<see cref="SharedTimer.Acquire"/>); <see langword="null"/> once stopped.</summary>
    private SharedTimer? _timer;
    private IDisposable? _watchdogRegistration;

    /// <summary>Timestamp after which the server counts as dead; moved forward by each ping (v4) or each packet (v3).</summary>
    private long _heartbeatDeadline;

    /// <summary>Revision 3: the timestamp at which this client sends its next ping.</summary>
    private long _nextPing;

    private void OnHeartbeatTick(long timestamp)
    {
        if (!IsOpen)
        {
            return;
        }

        var transport = Volatile.Read(ref _transport);
        transport.OnTick();
        if (transport.IsSendStalled(timestamp, _sendTimeoutTicks))
        {
            Fail(new EngineConnectionException(
                EngineConnectionError.TransportError,
                $"The server stopped reading: a send made no progress past its deadline, or for {(Handshake.PingInterval + Handshake.PingTimeout).TotalMilliseconds:0} ms (pingInterval + pingTimeout). The connection was aborted."));
            return;
        }

        if (timestamp > Volatile.Read(ref _heartbeatDeadline))
        {
            var message = Revision == EngineRevision.V4
                ? $"The server sent no heartbeat for {(Handshake.PingInterval + Handshake.PingTimeout).TotalMilliseconds:0} ms (pingInterval + pingTimeout)."
                : $"The server sent nothing within {Handshake.PingTimeout.TotalMilliseconds:0} ms (pingTimeout) of this client's ping.";
            Fail(new EngineConnectionException(EngineConnectionError.PingTimeout, message));
            return;
        }

        if (Revision == EngineRevision.V3 && timestamp >= Volatile.Read(ref _nextPing) && CurrentTimer is { } timer)
        {
            Volatile.Write(ref _nextPing, timer.GetDeadline(Handshake.PingInterval));
            Volatile.Write(ref _heartbeatDeadline, timer.GetDeadline(Handshake.PingTimeout));
            _ = SendPingAsync();
        }
    }

    private SharedTimer? CurrentTimer => Volatile.Read(ref _timer);

    /// <summary>The longest one write may run without a deadline of its own, in timestamp ticks: pingInterval + pingTimeout.</summary>
    private long _sendTimeoutTicks = long.MaxValue;

    /// <summary>A deadline <paramref name="timeout"/> from now on the connection's clock; <see cref="long.MaxValue"/> for infinite.</summary>
    private long DeadlineOf(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue;
        }

        var clock = _options.TimeProvider;
        var ticks = (long)(timeout.TotalSeconds * clock.TimestampFrequency);
        var now = clock.GetTimestamp();
        return ticks >= long.MaxValue - now ? long.MaxValue : now + ticks;
    }

    private void StartHeartbeatWatchdog()
    {
        var timer = SharedTimer.Acquire(_options.TimeProvider, _options.TimerResolution);
        var window = (Handshake.PingInterval + Handshake.PingTimeout).TotalSeconds * _options.TimeProvider.TimestampFrequency;
        _sendTimeoutTicks = window > 0 && window < long.MaxValue / 2 ? (long)window : long.MaxValue;
        Volatile.Write(ref _heartbeatDeadline, timer.GetDeadline(Handshake.PingInterval + Handshake.PingTimeout));
        Volatile.Write(ref _nextPing, timer.GetDeadline(Handshake.PingInterval));
        _timer = timer;
        _watchdogRegistration = timer.Register(new HeartbeatTarget(this));
    }

    private void StopHeartbeatWatchdog()
    {
        Interlocked.Exchange(ref _watchdogRegistration, null)?.Dispose();
        Interlocked.Exchange(ref _timer, null)?.Release();
    }

    /// <summary>Revision 3: any packet from the server proves it alive.</summary>
    private void OnPacketReceived()
    {
        if (Revision == EngineRevision.V3 && CurrentTimer is { } timer)
        {
            Volatile.Write(ref _heartbeatDeadline, timer.GetDeadline(Handshake.PingInterval + Handshake.PingTimeout));
        }
    }

    private async Task SendPingAsync()
    {
        try
        {
            await SendCoreAsync(s_ping, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EngineConnectionException or EngineMessageTooLargeException or OperationCanceledException)
        {
            // A failed send has already ended the connection (SendCoreAsync); the receive loop reports it.
        }
    }

    private ValueTask OnPingAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (CurrentTimer is { } timer)
        {
            Volatile.Write(ref _heartbeatDeadline, timer.GetDeadline(Handshake.PingInterval + Handshake.PingTimeout));
        }

        if (data.IsEmpty)
        {
            return SendCoreAsync(s_pong, null, cancellationToken);
        }

        // A ping with data (only "2probe" in practice) is answered with the same data; a pong the server would refuse
        // (longer than its maxPayload) is not sent: such a ping breaks the protocol.
        var limit = Handshake.MaxPayload;
        if (limit > 0 && data.Length + 1 > limit)
        {
            throw Fail(ProtocolError(new EngineProtocolException($"A ping carries {data.Length} bytes of data: its pong would be larger than the server's maxPayload ({limit} bytes).", 0)));
        }

        var pong = new byte[data.Length + 1];
        pong[0] = (byte)'3';
        data.Span.CopyTo(pong.AsSpan(1));
        return SendCoreAsync(pong, null, cancellationToken);
    }

    /// <summary>
    /// What the timer calls: a private adapter, so that the public connection does not expose the tick (a caller could
    /// otherwise declare a ping timeout by calling it with a late timestamp).
    /// </summary>
    private sealed class HeartbeatTarget(EngineConnection connection) : ITimerTarget
    {
        public void OnTick(long timestamp) => connection.OnHeartbeatTick(timestamp);
    }
}
