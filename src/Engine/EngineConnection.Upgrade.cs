using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine.Protocol;
using SailSocket.Engine.Transports;

namespace SailSocket.Engine;

/// <content>
/// The upgrade from polling to WebSocket (docs/protocol.md §2.7): open a WebSocket with the session id, send <c>2probe</c>,
/// expect <c>3probe</c>, pause polling (the in-flight GET is released by the server's noop, the in-flight POST finishes,
/// new sends queue), send <c>5</c>, move the queued packets to the WebSocket, then switch. If anything fails before
/// polling is paused, the probe socket is dropped and the session simply stays on polling.
/// </content>
public sealed partial class EngineConnection
{
    private static readonly ReadOnlyMemory<byte> s_probePing = "2probe"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> s_upgrade = "5"u8.ToArray();

    /// <summary>The polling transport this connection started on, kept after an upgrade to forward late sends and to dispose.</summary>
    private readonly PollingTransport? _polling;

    /// <summary>
    /// Completed when the receive loop may switch to the upgraded transport (faulted if the switch failed). Created when
    /// an upgrade starts: a connection that began on WebSocket never needs one (one object fewer per idle socket).
    /// </summary>
    private TaskCompletionSource? _switched;

    /// <summary>Cancels an upgrade in progress when the connection closes.</summary>
    private CancellationTokenSource? _upgradeStop;
    private Task _upgrade = Task.CompletedTask;
    private Exception? _upgradeError;

    /// <summary>The WebSocket being probed, aborted if the connection closes before the switch; <see langword="null"/> otherwise.</summary>
    private WebSocketTransport? _probe;

    /// <summary>Why the last upgrade attempt failed (the connection stayed on polling); <see langword="null"/> otherwise.</summary>
    public Exception? UpgradeError => Volatile.Read(ref _upgradeError);

    /// <summary>The upgrade attempt: completes when the connection has switched to WebSocket or stayed on polling. Never faults.</summary>
    internal Task UpgradeTask => _upgrade;

    private void StartUpgrade(HttpMessageInvoker? invoker)
    {
        _upgradeStop = new CancellationTokenSource();
        _switched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _upgrade = UpgradeAsync(invoker, _upgradeStop.Token);
    }

    private void StopUpgrade()
    {
        Volatile.Read(ref _probe)?.Abort();
        try
        {
            _upgradeStop?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task WaitForUpgradeAsync()
    {
        await _upgrade.ConfigureAwait(false);
        _upgradeStop?.Dispose();
    }

    private async Task UpgradeAsync(HttpMessageInvoker? invoker, CancellationToken stop)
    {
        // Let the caller's connect finish first: the upgrade runs beside the session, not inside ConnectAsync.
        await Task.Yield();
        var polling = _polling!;
        WebSocketTransport? webSocket = null;
        var paused = false;
        try
        {
            using var deadline = new CancellationTokenSource(_options.UpgradeTimeout, _options.TimeProvider);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(stop, deadline.Token);
            var uri = EngineUri.Build(_options, Revision, webSocket: true, Handshake.SessionId);
            var (socket, stream) = await OpenWebSocketAsync(_options, uri, invoker, readRefusalBody: false, bound.Token).ConfigureAwait(false);
            webSocket = new WebSocketTransport(socket, _options.BufferPool, _options.MaxMessageSize, Revision, stream);
            Volatile.Write(ref _probe, webSocket);
            stop.ThrowIfCancellationRequested();

            await webSocket.SendAsync(s_probePing, null, long.MaxValue, bound.Token).ConfigureAwait(false);
            var answer = await webSocket.ReceiveAsync(bound.Token).ConfigureAwait(false);
            if (answer.IsBinary || answer.IsClose || !answer.Data.Span.SequenceEqual("3probe"u8))
            {
                throw new EngineProtocolException("The server did not answer the upgrade probe '2probe' with '3probe'.", 0);
            }

            webSocket.ReleaseReceiveBuffer();
            paused = true;
            await polling.PauseAsync(bound.Token).ConfigureAwait(false);

            // CancellationToken.None: cancelling a WebSocket send aborts the socket; the send lock is free here.
            await webSocket.SendAsync(s_upgrade, null, long.MaxValue, CancellationToken.None).ConfigureAwait(false);
            await polling.ForwardToAsync(webSocket).ConfigureAwait(false);
            Volatile.Write(ref _probe, null);
            webSocket.MapSendError = this;
            Volatile.Write(ref _transport, webSocket);
            webSocket = null;
            _switched!.TrySetResult();
            if (!IsOpen)
            {
                // Closed while switching: the close may have gone to polling, so abort the WebSocket too.
                Volatile.Read(ref _transport).Abort();
            }
        }
#pragma warning disable CA1031 // Every failure either leaves the session on polling or ends it; nothing escapes.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Volatile.Write(ref _probe, null);
            webSocket?.Abort();
            webSocket?.ReleaseReceiveBuffer();
            webSocket?.Dispose();
            Volatile.Write(ref _upgradeError, ex);
            if (paused)
            {
                var error = Fail(new EngineConnectionException(EngineConnectionError.TransportError, $"The upgrade to WebSocket failed after polling was paused: {ex.Message}", ex));
                if (_switched!.TrySetException(error))
                {
                    // Only a receive waiting for the switch reads this; when none is (the connection was being closed), the
                    // fault must not surface as an unobserved task exception: the receive loop reports the end anyway.
                    _ = _switched!.Task.Exception;
                }
            }
        }
    }
}
