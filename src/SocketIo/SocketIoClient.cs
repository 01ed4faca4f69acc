using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.SocketIo.Internal;
using SailSocket.SocketIo.Protocol;

namespace SailSocket.SocketIo;

/// <summary>
/// A Socket.IO client (protocol 5 over Engine.IO 4, protocol 4 over Engine.IO 3) on one namespace over one Engine.IO
/// connection: connect, emit with or without ack,
/// server events in order, disconnect.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Emits are safe from any number of threads; the Engine.IO connection serialises them.</item>
/// <item>One receive loop per client dispatches packets in arrival order: acks complete their waiters (continuations run
/// asynchronously, never on the loop) and events go to <see cref="SocketIoOptions.OnEvent"/>, on the loop.</item>
/// <item>When the connection ends every waiting emit fails with <see cref="SocketIoDisconnectedException"/>, then
/// <see cref="SocketIoOptions.OnDisconnected"/> runs once.</item>
/// <item><see cref="DisposeAsync"/> is idempotent.</item>
/// </list>
/// </remarks>
public sealed partial class SocketIoClient : IAsyncDisposable
{
    private static readonly IReadOnlyList<ReadOnlyMemory<byte>> s_noAttachments = [];

    private readonly SocketIoOptions _options;
    private readonly EngineConnection _engine;
    private readonly SharedTimer _timer;
    private readonly SharedTimer? _ownedTimer;
    private readonly AckTable _acks;
    private readonly IDisposable _ackDeadlines;
    private readonly BinaryPacketAssembler _binary = new();
    private readonly TaskCompletionSource<string> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _receiveStop = new();
    private Task _receiveLoop = Task.CompletedTask;
    private SocketIoDisconnectedException? _disconnected;
    private int _disposed;

    private SocketIoClient(SocketIoOptions options, EngineConnection engine)
    {
        _options = options;
        _engine = engine;
        _timer = options.Timer ?? options.Engine.Timer ?? (_ownedTimer = new SharedTimer(TimeSpan.FromMilliseconds(100)));
        _acks = new AckTable(_timer);
        _ackDeadlines = _timer.Register(_acks);
    }

    /// <summary>The Socket.IO id the server gave this client in its CONNECT reply.</summary>
    public string Id { get; private set; } = string.Empty;

    /// <summary>The namespace this client is connected to.</summary>
    public string Namespace => _options.Namespace;

    /// <summary>The Engine.IO handshake of the connection underneath.</summary>
    public EngineHandshake EngineHandshake => _engine.Handshake;

    /// <summary>The Engine.IO connection underneath (its revision, transport, upgrade state).</summary>
    public EngineConnection Engine => _engine;

    /// <summary>
    /// The Socket.IO protocol revision: 5 over Engine.IO 4, 4 over Engine.IO 3 (docs/protocol.md §3.9). On protocol 4 the
    /// server connects the client to <c>/</c> by itself and the ERROR packet may carry a plain string.
    /// </summary>
    public int ProtocolRevision => _engine.Revision == EngineRevision.V3 ? 4 : 5;

    /// <summary>Whether the client is connected: CONNECT answered and nothing has ended the connection since.</summary>
    public bool IsConnected => Volatile.Read(ref _disconnected) is null && _connected.Task.IsCompletedSuccessfully;

    /// <summary>How many emits are waiting for their ack.</summary>
    public int PendingAckCount => _acks.Count;

    /// <summary>Opens the Engine.IO connection, connects to the namespace and waits for the server's CONNECT reply.</summary>
    /// <param name="options">Where and how to connect.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connected client; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="EngineConnectionException">The Engine.IO connection could not be opened, or ended during the connect.</exception>
    /// <exception cref="SocketIoConnectException">The server refused the namespace (CONNECT_ERROR).</exception>
    /// <exception cref="SocketIoTimeoutException">The whole connect took longer than <see cref="SocketIoOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<SocketIoClient> ConnectAsync(SocketIoOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(options.ConnectTimeout);
        EngineConnection engine;
        try
        {
            engine = await EngineConnection.ConnectAsync(options.Engine, bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw ConnectTimeout(options);
        }

        var client = new SocketIoClient(options, engine);
        try
        {
            client._receiveLoop = client.ReceiveLoopAsync();
            await client.SendConnectAsync(bound.Token).ConfigureAwait(false);
            client.Id = await client._connected.Task.WaitAsync(bound.Token).ConfigureAwait(false);
            return client;
        }
        catch (Exception ex)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (ex is OperationCanceledException)
            {
                throw ConnectTimeout(options);
            }

            throw;
        }
    }

    /// <summary>Emits an event and waits for the server's ack.</summary>
    /// <typeparam name="TState">What the arguments are written from.</typeparam>
    /// <param name="eventName">The event name.</param>
    /// <param name="state">Passed to <paramref name="writeArguments"/>.</param>
    /// <param name="writeArguments">Writes the arguments after the event name; called synchronously, once.</param>
    /// <param name="attachments">Binary attachments referenced by placeholders in the arguments, or <see langword="null"/>.</param>
    /// <param name="timeout">How long to wait for the ack; <see cref="Timeout.InfiniteTimeSpan"/> to wait until the connection ends.</param>
    /// <param name="cancellationToken">Stops waiting; the emit may already have been sent.</param>
    /// <returns>The ack.</returns>
    /// <exception cref="SocketIoDisconnectedException">The client is not connected, or the connection ended before the ack.</exception>
    /// <exception cref="SocketIoTimeoutException">No ack within <paramref name="timeout"/>.</exception>
    /// <exception cref="EngineMessageTooLargeException">The packet is larger than the server accepts; nothing was sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<SocketIoAck> EmitWithAckAsync<TState>(
        string eventName,
        TState state,
        SocketIoArgumentsWriter<TState> writeArguments,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(writeArguments);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisconnected();
        var pending = _acks.Add(timeout, cancellationToken);
        try
        {
            await SendEventAsync(eventName, state, writeArguments, attachments, pending.Id, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _acks.Remove(pending);
            pending.Abandon();
            throw;
        }

        try
        {
            return await pending.Completion.Task.ConfigureAwait(false);
        }
        catch (SocketIoDisconnectedException ex)
        {
            throw new SocketIoDisconnectedException(ex.Reason, ex.Message + " The emit had been sent: the server may or may not have processed it.", ex.InnerException, afterSend: true);
        }
    }

    /// <summary>Emits an event without asking for an ack.</summary>
    /// <typeparam name="TState">What the arguments are written from.</typeparam>
    /// <param name="eventName">The event name.</param>
    /// <param name="state">Passed to <paramref name="writeArguments"/>.</param>
    /// <param name="writeArguments">Writes the arguments after the event name; called synchronously, once.</param>
    /// <param name="attachments">Binary attachments referenced by placeholders, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Bounds the wait for earlier sends.</param>
    /// <returns>A task that completes when the packet has been handed to the transport.</returns>
    /// <exception cref="SocketIoDisconnectedException">The client is not connected.</exception>
    /// <exception cref="EngineMessageTooLargeException">The packet is larger than the server accepts; nothing was sent.</exception>
    public async Task EmitAsync<TState>(string eventName, TState state, SocketIoArgumentsWriter<TState> writeArguments, IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(writeArguments);
        ThrowIfDisconnected();
        await SendEventAsync(eventName, state, writeArguments, attachments, -1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Answers a server event that asked for an ack (<see cref="SocketIoEvent.AckId"/>).</summary>
    /// <typeparam name="TState">What the arguments are written from.</typeparam>
    /// <param name="ackId">The event's ack id.</param>
    /// <param name="state">Passed to <paramref name="writeArguments"/>.</param>
    /// <param name="writeArguments">Writes the ack's arguments inside the array, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Bounds the wait for earlier sends.</param>
    /// <returns>A task that completes when the ack has been handed to the transport.</returns>
    /// <exception cref="SocketIoDisconnectedException">The client is not connected.</exception>
    public async Task AckAsync<TState>(long ackId, TState state, SocketIoArgumentsWriter<TState>? writeArguments, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ackId);
        ThrowIfDisconnected();
        using var message = EngineMessageWriter.Rent(_options.Engine.BufferPool);
        SocketIoPacketWriter.WriteHeader(message, SocketIoPacketType.Ack, _options.Namespace, ackId);
        WriteArray(message, null, state, writeArguments);
        await SendAsync(message, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Leaves the namespace (DISCONNECT) and closes the connection. Waiting emits fail. Idempotent.</summary>
    /// <param name="cancellationToken">Bounds the wait for earlier sends before the DISCONNECT packet.</param>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        if (IsConnected)
        {
            try
            {
                using var message = EngineMessageWriter.Rent(_options.Engine.BufferPool);
                SocketIoPacketWriter.WriteHeader(message, SocketIoPacketType.Disconnect, _options.Namespace);
                await _engine.SendAsync(message, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is EngineConnectionException or OperationCanceledException)
            {
                // Leaving is best effort: the connection is closed below either way.
            }
        }

        SetDisconnected(new SocketIoDisconnectedException(SocketIoDisconnectReason.ClientDisconnect, "The client disconnected."));
        await _engine.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        await _receiveLoop.ConfigureAwait(false);
    }

    /// <summary>Disconnects and releases everything. Idempotent.</summary>
    /// <returns>A task that completes when the receive loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
        await _engine.DisposeAsync().ConfigureAwait(false);
        _ackDeadlines.Dispose();
        _ownedTimer?.Dispose();
        _receiveStop.Dispose();
    }

    private static SocketIoTimeoutException ConnectTimeout(SocketIoOptions options) =>
        new($"Connecting to namespace '{options.Namespace}' took longer than {options.ConnectTimeout.TotalSeconds:0.###} s (SocketIoOptions.ConnectTimeout).");

    private static void WriteArray<TState>(EngineMessageWriter message, string? eventName, TState state, SocketIoArgumentsWriter<TState>? writeArguments)
    {
        var json = JsonWriterCache.Rent(message);
        try
        {
            json.WriteStartArray();
            if (eventName is not null)
            {
                json.WriteStringValue(eventName);
            }

            writeArguments?.Invoke(json, state);
            json.WriteEndArray();
            json.Flush();
        }
        finally
        {
            JsonWriterCache.Return(json);
        }
    }

    private async Task SendEventAsync<TState>(string eventName, TState state, SocketIoArgumentsWriter<TState> writeArguments, IReadOnlyList<ReadOnlyMemory<byte>>? attachments, long ackId, CancellationToken cancellationToken)
    {
        var count = attachments?.Count ?? 0;
        using var message = EngineMessageWriter.Rent(_options.Engine.BufferPool);
        SocketIoPacketWriter.WriteHeader(message, count > 0 ? SocketIoPacketType.BinaryEvent : SocketIoPacketType.Event, _options.Namespace, ackId, count);
        WriteArray(message, eventName, state, writeArguments);
        await SendAsync(message, count > 0 ? attachments : null, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SendConnectAsync(CancellationToken cancellationToken)
    {
        var protocol4 = _engine.Revision == EngineRevision.V3;
        if (protocol4 && _options.Namespace == "/")
        {
            // docs/protocol.md §3.3: on protocol 4 the server connects the client to "/" and sends "40" by itself;
            // a CONNECT from the client would make it close the connection.
            return;
        }

        using var message = EngineMessageWriter.Rent(_options.Engine.BufferPool);
        SocketIoPacketWriter.WriteHeader(message, SocketIoPacketType.Connect, _options.Namespace);
        if (!_options.Auth.IsEmpty && !protocol4)
        {
            // Protocol 4 has no CONNECT payload; extra data rides in the handshake query instead.
            message.Write(_options.Auth.Span);
        }

        await _engine.SendAsync(message, null, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SendAsync(EngineMessageWriter message, IReadOnlyList<ReadOnlyMemory<byte>>? attachments, CancellationToken cancellationToken)
    {
        try
        {
            await _engine.SendAsync(message, attachments, cancellationToken).ConfigureAwait(false);
        }
        catch (EngineConnectionException ex)
        {
            throw Volatile.Read(ref _disconnected) ?? new SocketIoDisconnectedException(SocketIoDisconnectReason.TransportClosed, $"The connection ended: {ex.Message}", ex);
        }
    }

    private void ThrowIfDisconnected()
    {
        var disconnected = Volatile.Read(ref _disconnected);
        if (disconnected is not null)
        {
            throw new SocketIoDisconnectedException(disconnected.Reason, disconnected.Message, disconnected.InnerException);
        }
    }

    /// <summary>Records the first reason the client stopped being connected and fails every waiting emit with it.</summary>
    private void SetDisconnected(SocketIoDisconnectedException reason)
    {
        Interlocked.CompareExchange(ref _disconnected, reason, null);
        _acks.Close(Volatile.Read(ref _disconnected)!);
        if (_connected.TrySetException(reason.InnerException ?? reason))
        {
            // Nobody may be waiting for the connect any more (it failed on the send): mark the fault observed.
            _ = _connected.Task.Exception;
        }
    }
}
