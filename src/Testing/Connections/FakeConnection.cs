using System;
using System.Buffers;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine.Protocol;
using SailSocket.Testing.Protocol;

namespace SailSocket.Testing.Connections;

/// <summary>
/// The server side of one client connection: the Engine.IO open, the Socket.IO connect of the revision, the heartbeat,
/// then one receive loop that hands each Sails request to the routes (off the loop, so delays and slow handlers overlap,
/// and responses go back in completion order as with a real server).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>One receive loop; sends from any thread go through one lock (a WebSocket allows one send at a time).</item>
/// <item>A test's token only bounds its wait for the send lock; it is never passed to the WebSocket, which a cancelled
/// token would abort.</item>
/// </list>
/// </remarks>
// CA1001: _sendLock and _stop are used until the last pending send or handler returns, which may be after the loop ends;
// neither holds an OS handle (no AvailableWaitHandle, no WaitHandle), so the GC reclaims them without a Dispose.
#pragma warning disable CA1001
internal sealed class FakeConnection
#pragma warning restore CA1001
{
    /// <summary>A close frame without a status code, what a real server sends when it drops a session (protocol.md §2.5).</summary>
    private static readonly byte[] s_closeWithoutStatus = [0x88, 0x00];

    /// <summary>How long a drop waits for the client to answer its close before the connection is aborted (real time).</summary>
    private static readonly TimeSpan s_closeGrace = TimeSpan.FromSeconds(5);

    private readonly FakeSailsServer _server;
    private readonly WebSocket _webSocket;
    private readonly Stream _stream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _pingTimer;
    private volatile bool _stalled;
    private int _closing;
    private bool _connected;

    public FakeConnection(FakeSailsServer server, WebSocket webSocket, Stream stream, FakeSocket socket)
    {
        _server = server;
        _webSocket = webSocket;
        _stream = stream;
        Socket = socket;
    }

    public FakeSocket Socket { get; }

    /// <summary>Completes when the connection has ended, whoever ended it.</summary>
    public Task Completion => _completion.Task;

    public bool IsStalled => _stalled;

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    public void Start() => _ = Task.Run(RunAsync);

    /// <summary>Stops reading, answering and pinging; the connection stays open until <see cref="CloseAsync"/>.</summary>
    public void Stall() => _stalled = true;

    /// <summary>Sends one text message built by <paramref name="write"/>.</summary>
    /// <exception cref="InvalidOperationException">The connection is closed.</exception>
    public async ValueTask SendAsync(Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        write(buffer);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsClosing || _webSocket.State != WebSocketState.Open)
            {
                throw new InvalidOperationException($"The socket {Socket.Id} is closed.");
            }

            await _webSocket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            throw new InvalidOperationException($"The socket {Socket.Id} is closed.", ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Ends the connection as a real server does: optionally a Socket.IO DISCONNECT (<c>41</c>: the client does not
    /// reconnect), then a close frame without a status code (the client sees a transport close), then waits a bounded
    /// time for the client's answer.
    /// </summary>
    public async Task CloseAsync(bool disconnect, CancellationToken cancellationToken)
    {
        await SendCloseAsync(disconnect, cancellationToken).ConfigureAwait(false);
        try
        {
            await Completion.WaitAsync(s_closeGrace, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Abort();
            await Completion.ConfigureAwait(false);
        }
    }

    /// <summary>Writes the close (once); the receive loop then reads the client's answer and ends.</summary>
    private async Task SendCloseAsync(bool disconnect, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 0)
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (disconnect)
                {
                    await _webSocket.SendAsync("41"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                }

                // Written under the WebSocket: CloseOutputAsync would put the reserved code 1005 itself on the wire.
                await _stream.WriteAsync(s_closeWithoutStatus, CancellationToken.None).ConfigureAwait(false);
                await _stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                // Already gone: nothing left to tell the client.
            }
            finally
            {
                _sendLock.Release();
            }

            _stalled = false;
            _resume.TrySetResult();
        }
    }

    /// <summary>Ends the connection at once, without telling the client (a dead server).</summary>
    public void Abort()
    {
        Interlocked.Exchange(ref _closing, 1);
        _stop.Cancel();
        _webSocket.Abort();
        _stream.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            await OpenAsync().ConfigureAwait(false);
            await ReceiveLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away, or the test dropped the connection: both end the loop.
        }
        finally
        {
            Interlocked.Exchange(ref _closing, 1);
            _pingTimer?.Dispose();
            _stop.Cancel();
            _webSocket.Abort();
            _webSocket.Dispose();
            await _stream.DisposeAsync().ConfigureAwait(false);
            _server.OnClosed(this, _connected);
            _completion.TrySetResult();
        }
    }

    private async Task OpenAsync()
    {
        var options = _server.Options;
        await SendAsync(w => ServerPacketWriter.WriteOpen(w, Socket.EngineSessionId, false, options.PingInterval, options.PingTimeout, options.MaxPayload), CancellationToken.None).ConfigureAwait(false);
        if (options.Revision == EngineRevision.V4)
        {
            _pingTimer = options.TimeProvider.CreateTimer(static state => ((FakeConnection)state!).Ping(), this, options.PingInterval, options.PingInterval);
            if (IsClosing)
            {
                // Ended while the timer was being made: RunAsync's finally may have run before the field was set.
                _pingTimer.Dispose();
            }
        }
        else
        {
            // Protocol 4: the server connects the main namespace itself and sends 40 (protocol.md §3.3).
            await SendAsync(static w => ServerPacketWriter.WriteConnect(w, null), CancellationToken.None).ConfigureAwait(false);
            Connected();
        }
    }

    private void Ping()
    {
        if (!_stalled && !IsClosing)
        {
            _ = PingAsync();
        }
    }

    private async Task PingAsync()
    {
        try
        {
            await SendAsync(static w => ServerPacketWriter.WriteAscii(w, "2"), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // The connection ended between the tick and the send.
        }
    }

    private void Connected()
    {
        _connected = true;
        _server.OnConnected(this);
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var maxMessageSize = _server.Options.MaxMessageSize;
        var pendingAttachments = 0;
        while (true)
        {
            if (_stalled)
            {
                await _resume.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
            }

            buffer.Clear();
            ValueWebSocketReceiveResult result;
            do
            {
                if (buffer.WrittenCount >= maxMessageSize)
                {
                    await CloseTooBigAsync().ConfigureAwait(false);
                    return;
                }

                result = await _webSocket.ReceiveAsync(buffer.GetMemory(Math.Min(16 * 1024, maxMessageSize - buffer.WrittenCount + 1)), _stop.Token).ConfigureAwait(false);
                buffer.Advance(result.Count);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await AnswerCloseAsync().ConfigureAwait(false);
                    return;
                }
            }
            while (!result.EndOfMessage);

            if (_stalled)
            {
                // Read while the loop was already waiting when Stall came: a hung server never processes it. The wait
                // ends only when the test closes the connection; the loop then reads the client's close.
                await _resume.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
                continue;
            }

            if (buffer.WrittenCount > maxMessageSize)
            {
                await CloseTooBigAsync().ConfigureAwait(false);
                return;
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                // Attachments of a binary request the kit refused already; any other binary message is a protocol error.
                if (pendingAttachments-- <= 0)
                {
                    return;
                }

                continue;
            }

            if (pendingAttachments > 0 || !await HandleTextAsync(buffer.WrittenMemory, count => pendingAttachments = count).ConfigureAwait(false))
            {
                // What a real server drops the connection for (protocol.md §3.8); the finally of RunAsync ends it.
                await SendCloseAsync(disconnect: false, CancellationToken.None).ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>Handles one text message; false when a real server would drop the connection for it.</summary>
    private async ValueTask<bool> HandleTextAsync(ReadOnlyMemory<byte> message, Action<int> expectAttachments)
    {
        var revision = _server.Options.Revision;
        var packet = ClientPacketReader.Read(message.Span);
        switch (packet.Kind)
        {
            case ClientPacketKind.Ping when revision == EngineRevision.V3:
                await SendAsync(static w => ServerPacketWriter.WriteAscii(w, "3"), CancellationToken.None).ConfigureAwait(false);
                return true;
            case ClientPacketKind.Pong when revision == EngineRevision.V4:
            case ClientPacketKind.Ignored:
            case ClientPacketKind.Ack:
                return true;
            case ClientPacketKind.Close:
            case ClientPacketKind.Disconnect:
                return false;
            case ClientPacketKind.Connect when packet.Namespace is { } ns:
                await SendAsync(w => ServerPacketWriter.WriteInvalidNamespace(w, ns), CancellationToken.None).ConfigureAwait(false);
                return true;
            case ClientPacketKind.Connect when revision == EngineRevision.V4 && !_connected:
                if (!Socket.SetAuth(message[packet.JsonStart..]))
                {
                    return false;
                }

                await SendAsync(w => ServerPacketWriter.WriteConnect(w, Socket.Id), CancellationToken.None).ConfigureAwait(false);
                Connected();
                return true;
            case ClientPacketKind.Event when _connected && packet.Namespace is null:
                return HandleEvent(message[packet.JsonStart..], packet.AckId);
            case ClientPacketKind.Binary when _connected && packet.Namespace is null:
                expectAttachments(packet.Attachments);
                if (packet.AckId is { } binaryAck)
                {
                    var refusal = FakeResponse.Text("SailSocket.Testing does not read requests with binary data.", 400);
                    await SendAsync(w => ServerPacketWriter.WriteResponse(w, binaryAck, refusal.StatusCode, refusal.Headers, refusal.BodyUtf8), CancellationToken.None).ConfigureAwait(false);
                }

                return true;
            default:
                return false;
        }
    }

    private bool HandleEvent(ReadOnlyMemory<byte> json, long? ackId)
    {
        SailsEnvelopeReader.Envelope envelope;
        string? error;
        try
        {
            if (!SailsEnvelopeReader.TryRead(json.Span, out envelope, out error))
            {
                return true;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }

        if (error is not null)
        {
            if (ackId is { } id)
            {
                _ = SendQuietlyAsync(w => ServerPacketWriter.WriteParseError(w, id, error));
            }

            return true;
        }

        var request = new FakeRequest(envelope.Method, envelope.Url, envelope.Path, envelope.Query, envelope.Headers, envelope.Body, Socket, _server.Options.TimeProvider.GetUtcNow());
        var (recorded, route) = _server.Record(request);
        _ = Task.Run(() => AnswerAsync(recorded, route, ackId));
        return true;
    }

    private async Task AnswerAsync(FakeRequest request, Routing.RouteTable.Route? route, long? ackId)
    {
        var response = await FakeSailsServer.DispatchAsync(request, route, _stop.Token).ConfigureAwait(false);
        if (response.IsNoReply || ackId is not { } id)
        {
            return;
        }

        try
        {
            if (response.Delay > TimeSpan.Zero)
            {
                await Task.Delay(response.Delay, _server.Options.TimeProvider, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!_stalled)
        {
            await SendQuietlyAsync(w => ServerPacketWriter.WriteResponse(w, id, response.StatusCode, response.Headers, response.BodyUtf8)).ConfigureAwait(false);
        }
    }

    private async Task SendQuietlyAsync(Action<IBufferWriter<byte>> write)
    {
        try
        {
            await SendAsync(write, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // The connection ended before the answer: a real server's answer would be lost the same way.
        }
    }

    /// <summary>Echoes a close the client started (RFC 6455 §5.5.1), as a real server does; not when the server closed first.</summary>
    private async Task AnswerCloseAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            // The client did not wait for the answer.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task CloseTooBigAsync()
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            Interlocked.Exchange(ref _closing, 1);
            await _webSocket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            // Gone already.
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
