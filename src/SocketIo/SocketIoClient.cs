using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.SocketIo.Internal;
using SailSocket.SocketIo.Protocol;

namespace SailSocket.SocketIo;

/// <summary>
/// A Socket.IO client on one namespace (protocol 5 over Engine.IO 4, protocol 4 over Engine.IO 3): connect, emit with or
/// without ack, server events in order, disconnect. Either it owns its Engine.IO connection
/// (<see cref="ConnectAsync"/>, the one-namespace case) or it shares one with other namespaces
/// (<see cref="SocketIoConnection.ConnectNamespaceAsync(SocketIoNamespaceOptions, CancellationToken)"/>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Emits are safe from any number of threads; the Engine.IO connection serialises them.</item>
/// <item>One receive loop per connection dispatches packets in arrival order: acks complete their waiters (continuations
/// run asynchronously, never on the loop) and events go to <see cref="SocketIoOptions.OnEvent"/>, on the loop.</item>
/// <item>When the client stops being connected every waiting emit fails with <see cref="SocketIoDisconnectedException"/>,
/// then <see cref="SocketIoOptions.OnDisconnected"/> runs once.</item>
/// <item>A client that owns its connection closes it when it disconnects; one on a shared connection only leaves its
/// namespace.</item>
/// <item><see cref="DisposeAsync"/> is idempotent.</item>
/// </list>
/// </remarks>
public sealed partial class SocketIoClient : IAsyncDisposable
{
    /// <summary>The attachments of a packet that has none.</summary>
    internal static readonly IReadOnlyList<ReadOnlyMemory<byte>> NoAttachments = [];

    private readonly SocketIoNamespaceOptions _options;
    private readonly SocketIoConnection _connection;
    private readonly ArrayPool<byte> _bufferPool;
    private readonly byte[] _namespaceUtf8;
    private readonly AckTable _acks;
    private readonly IDisposable _ackDeadlines;
    /// <summary>A CONNECT reply already answered: what <see cref="_connected"/> becomes once <see cref="Id"/> is set.</summary>
    private static readonly TaskCompletionSource<string> s_connected = Connected();

    /// <summary>
    /// The CONNECT reply: completed with the id, or faulted. Once the id is read it is replaced by <see cref="s_connected"/>,
    /// completed alike, so that a connected client keeps no source of its own (an idle socket's heap).
    /// </summary>
    private TaskCompletionSource<string> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SocketIoDisconnectedException? _disconnected;
    private int _notified;
    private int _queuedAutomaticAcks;
    private long _droppedAutomaticAcks;
    private int _disposed;

    internal SocketIoClient(SocketIoConnection connection, SocketIoNamespaceOptions options, bool ownsConnection)
    {
        _options = options;
        _connection = connection;
        _bufferPool = connection.Options.Engine.BufferPool;
        _namespaceUtf8 = options.Namespace == SocketIoPacketReader.MainNamespace ? [] : Encoding.UTF8.GetBytes(options.Namespace);
        OwnsConnection = ownsConnection;
        _acks = new AckTable(connection.Timer, options.MaxPendingAcks, handoff: connection.AckHandoff);
        _ackDeadlines = connection.Timer.Register(_acks);
    }

    /// <summary>The Socket.IO id the server gave this client in its CONNECT reply.</summary>
    public string Id { get; private set; } = string.Empty;

    /// <summary>The namespace this client is connected to.</summary>
    public string Namespace => _options.Namespace;

    /// <summary>The Engine.IO handshake of the connection underneath.</summary>
    public EngineHandshake EngineHandshake => _connection.Engine.Handshake;

    /// <summary>The Engine.IO connection underneath, read-only: its revision, transport, handshake and upgrade state.</summary>
    public EngineConnectionInfo Engine => _connection.Engine;

    /// <summary>The Socket.IO connection this namespace client runs over (shared with other namespaces, or its own).</summary>
    public SocketIoConnection Connection => _connection;

    /// <summary>
    /// The Socket.IO protocol revision: 5 over Engine.IO 4, 4 over Engine.IO 3 (docs/protocol.md §3.9). On protocol 4 the
    /// server connects the client to <c>/</c> by itself and the ERROR packet may carry a plain string.
    /// </summary>
    public int ProtocolRevision => _connection.ProtocolRevision;

    /// <summary>Whether the client is connected: CONNECT answered and nothing has ended the connection since.</summary>
    public bool IsConnected => Volatile.Read(ref _disconnected) is null && _connected.Task.IsCompletedSuccessfully;

    /// <summary>How many emits are waiting for their ack.</summary>
    public int PendingAckCount => _acks.Count;

    /// <summary>
    /// How many automatic acks were not sent because <see cref="SocketIoNamespaceOptions.MaxQueuedAutomaticAcks"/> were
    /// already waiting to be written (a server that asks for acks faster than it reads them).
    /// </summary>
    public long DroppedAutomaticAckCount => Interlocked.Read(ref _droppedAutomaticAcks);

    /// <summary>How many automatic acks wait to be written now: at most <see cref="SocketIoNamespaceOptions.MaxQueuedAutomaticAcks"/>.</summary>
    internal int QueuedAutomaticAckCount => Volatile.Read(ref _queuedAutomaticAcks);

    /// <summary>Whether this client opened its connection itself and closes it when it disconnects.</summary>
    internal bool OwnsConnection { get; }

    internal bool IsMainNamespace => _namespaceUtf8.Length == 0;

    /// <summary>The namespace in UTF-8, as the router compares it; empty for <c>/</c>.</summary>
    internal ReadOnlySpan<byte> NamespaceUtf8 => _namespaceUtf8;

    /// <summary>
    /// Opens an Engine.IO connection of its own, connects to the namespace and waits for the server's CONNECT reply.
    /// Disconnecting or disposing the client closes that connection.
    /// </summary>
    /// <param name="options">Where and how to connect.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connected client; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="EngineConnectionException">The Engine.IO connection could not be opened, or ended during the connect.</exception>
    /// <exception cref="SocketIoConnectException">The server refused the namespace (CONNECT_ERROR).</exception>
    /// <exception cref="SocketIoTimeoutException">The whole connect took longer than <see cref="SocketIoOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="EngineTimeoutException">The Engine.IO open took longer than <see cref="EngineOptions.ConnectTimeout"/>, set
    /// shorter than <see cref="SocketIoOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<SocketIoClient> ConnectAsync(SocketIoOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var deadline = new CancellationTokenSource(options.ConnectTimeout, options.Engine.TimeProvider);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        SocketIoConnection connection;
        try
        {
            connection = await SocketIoConnection.OpenAsync(options.ToConnectionOptions(), bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (SocketIoConnection.IsConnectTimeout(ex, options.Engine, options.ConnectTimeout, cancellationToken))
        {
            throw ConnectTimeout(options.Namespace, options.ConnectTimeout, nameof(SocketIoOptions));
        }

        try
        {
            return await connection.ConnectNamespaceCoreAsync(options.ToNamespaceOptions(), ownsConnection: true, bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (ex is OperationCanceledException)
            {
                throw ConnectTimeout(options.Namespace, options.ConnectTimeout, nameof(SocketIoOptions));
            }

            throw;
        }
    }

    /// <summary>Emits an event and waits for the server's ack.</summary>
    /// <typeparam name="TState">What the arguments are written from.</typeparam>
    /// <param name="eventName">The event name.</param>
    /// <param name="state">Passed to <paramref name="writeArguments"/>.</param>
    /// <param name="writeArguments">Writes the arguments after the event name; called synchronously, once.</param>
    /// <param name="attachments">Binary attachments referenced by placeholders in the arguments (<see cref="WriteAttachmentPlaceholder"/>), or <see langword="null"/>.</param>
    /// <param name="timeout">How long to wait for the ack; <see cref="Timeout.InfiniteTimeSpan"/> to wait until the connection ends.</param>
    /// <param name="cancellationToken">Stops waiting at once, even while the packet is being written; the emit may already
    /// have been sent. A write in progress goes on: <paramref name="attachments"/> must stay valid until it ends (at the
    /// latest when the connection ends).</param>
    /// <returns>The ack.</returns>
    /// <exception cref="SocketIoDisconnectedException">The client is not connected, or the connection ended before the ack.</exception>
    /// <exception cref="SocketIoTimeoutException">No ack within <paramref name="timeout"/>.</exception>
    /// <exception cref="SocketIoAckLimitException"><see cref="SocketIoOptions.MaxPendingAcks"/> emits already wait for their ack; nothing was sent.</exception>
    /// <exception cref="SocketIoMessageTooLargeException">The packet is larger than the server accepts; nothing was sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>A pooled state machine awaiting a pooled ack waiter: await the result once (or call
    /// <see cref="ValueTask{TResult}.AsTask"/> once), never more.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SocketIoAck> EmitWithAckAsync<TState>(
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
            // The send is inlined (not SendEventAsync, not SendAsync) so a request runs two state machines fewer.
            var message = EngineMessageWriter.Rent(_bufferPool);
            var ownsMessage = true;
            try
            {
                var sentAttachments = WriteEvent(message, eventName, state, writeArguments, attachments, pending.Id);

                // The emit's timeout is the send's deadline too: a write the server does not take by then ends the
                // connection (the Engine.IO layer aborts it), so this await is bounded whatever the server does.
                var send = _connection.SendAsync(message, sentAttachments, timeout, cancellationToken);
                if (!send.IsCompleted && cancellationToken.CanBeCanceled)
                {
                    // Slow path only: the caller's token ends the wait at once, even for a write that has started (which
                    // cannot be withdrawn: the message is released when that write ends).
                    var write = send.AsTask();
                    try
                    {
                        await write.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !write.IsCompleted)
                    {
                        ownsMessage = false;
                        _ = DisposeWhenWrittenAsync(write, message);
                        throw;
                    }
                }
                else
                {
                    await send.ConfigureAwait(false);
                }
            }
            catch (EngineConnectionException ex)
            {
                throw _connection.Timer.TimeProvider.GetTimestamp() >= pending.Deadline ? SendTimeout(timeout, ex) : SendFailure(ex);
            }
            catch (EngineMessageTooLargeException ex)
            {
                throw TooLarge(ex);
            }
            finally
            {
                if (ownsMessage)
                {
                    message.Dispose();
                }
            }
        }
        catch
        {
            pending.Abandon();
            throw;
        }

        try
        {
            // Read once: this returns the waiter to the pool; pending must not be touched afterwards.
            return await pending.AsValueTask().ConfigureAwait(false);
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
    /// <param name="attachments">Binary attachments referenced by placeholders (<see cref="WriteAttachmentPlaceholder"/>), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Bounds the wait for earlier sends.</param>
    /// <returns>A task that completes when the packet has been handed to the transport.</returns>
    /// <exception cref="SocketIoDisconnectedException">The client is not connected.</exception>
    /// <exception cref="SocketIoMessageTooLargeException">The packet is larger than the server accepts; nothing was sent.</exception>
    public async Task EmitAsync<TState>(string eventName, TState state, SocketIoArgumentsWriter<TState> writeArguments, IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(writeArguments);
        ThrowIfDisconnected();
        await SendEventAsync(eventName, state, writeArguments, attachments, -1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes, where an argument goes, the placeholder that stands for binary attachment <paramref name="index"/>
    /// (<c>{"_placeholder":true,"num":index}</c>, docs/protocol.md §3.7): how the arguments of an emit refer to the
    /// attachments passed with it.
    /// </summary>
    /// <param name="writer">The JSON writer given to the <see cref="SocketIoArgumentsWriter{TState}"/>, positioned where a value goes.</param>
    /// <param name="index">The index of the attachment in the emit's attachments, from 0.</param>
    public static void WriteAttachmentPlaceholder(Utf8JsonWriter writer, int index) => SocketIoPacketWriter.WritePlaceholder(writer, index);

    /// <summary>Answers a server event that asked for an ack (<see cref="SocketIoEvent.AckId"/>).</summary>
    /// <typeparam name="TState">What the arguments are written from.</typeparam>
    /// <param name="ackId">The event's ack id.</param>
    /// <param name="state">Passed to <paramref name="writeArguments"/>.</param>
    /// <param name="writeArguments">Writes the ack's arguments inside the array, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Bounds the wait for earlier sends.</param>
    /// <returns>A task that completes when the ack has been handed to the transport.</returns>
    /// <exception cref="SocketIoDisconnectedException">The client is not connected.</exception>
    /// <exception cref="SocketIoMessageTooLargeException">The packet is larger than the server accepts; nothing was sent.</exception>
    public async Task AckAsync<TState>(long ackId, TState state, SocketIoArgumentsWriter<TState>? writeArguments, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ackId);
        ThrowIfDisconnected();
        using var message = EngineMessageWriter.Rent(_bufferPool);
        SocketIoPacketWriter.WriteHeader(message, SocketIoPacketType.Ack, _options.Namespace, ackId);
        WriteArray(message, null, state, writeArguments);
        await SendAsync(message, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Leaves the namespace (DISCONNECT); a client that owns its connection also closes it. Waiting emits fail. Idempotent.
    /// Bounded whatever the server does: the DISCONNECT may wait 2 s to be written (if it is not, the close handshake is
    /// skipped and the connection aborted), then the Engine.IO close handshake 2 s: at most 4 s in all.
    /// </summary>
    /// <param name="cancellationToken">Bounds the wait for earlier sends before the DISCONNECT packet.</param>
    /// <returns>A task that completes when the namespace is left (and an owned connection closed).</returns>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        var stalled = false;
        if (IsConnected)
        {
            var message = EngineMessageWriter.Rent(_bufferPool);
            Task? write = null;
            try
            {
                SocketIoPacketWriter.WriteHeader(message, SocketIoPacketType.Disconnect, _options.Namespace);

                // Bounded whatever the server does: a DISCONNECT the server does not take within LeaveTimeout is given
                // up (the connection is closed, or aborted, below).
                write = _connection.SendAsync(message, null, LeaveTimeout, cancellationToken).AsTask();
                await write.WaitAsync(LeaveTimeout, _connection.Timer.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is EngineConnectionException or OperationCanceledException or TimeoutException)
            {
                // Leaving is best effort: the client is disconnected below either way. A DISCONNECT the server did not
                // take in time says a close handshake would not get through either.
                stalled = ex is TimeoutException;
            }
            finally
            {
                if (write is { IsCompleted: false })
                {
                    // Still queued or being written: the message is released when that write ends (the close below ends it).
                    _ = DisposeWhenWrittenAsync(write, message);
                }
                else
                {
                    message.Dispose();
                }
            }
        }

        var reason = new SocketIoDisconnectedException(SocketIoDisconnectReason.ClientDisconnect, "The client disconnected.");
        if (OwnsConnection)
        {
            // Recorded now, reported by the receive loop once the connection is closed (the order callers have always seen).
            Close(reason, notify: false);
            await _connection.CloseAsync(abort: stalled).ConfigureAwait(false);
        }
        else
        {
            _connection.Unregister(this);
            Close(reason, notify: true);
        }
    }

    /// <summary>Disconnects and releases everything (an owned connection included). Idempotent.</summary>
    /// <returns>A task that completes when the client is disconnected.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
        if (OwnsConnection)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The longest <see cref="DisconnectAsync"/> waits for its DISCONNECT packet to be written: 2 s, as long as the
    /// Engine.IO close handshake after it. A server that stops reading cannot hold a disconnect or a disposal longer.
    /// </summary>
    internal static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Releases a message once the write that still reads it has ended (the caller stopped waiting for it).</summary>
    private static async Task DisposeWhenWrittenAsync(Task write, EngineMessageWriter message)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nobody waits for this write any more: its error was the caller's to see, and the caller left.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        message.Dispose();
    }

    /// <summary>An emit whose packet the server did not take before the emit's deadline: the connection was aborted.</summary>
    private static SocketIoTimeoutException SendTimeout(TimeSpan timeout, EngineConnectionException ex) =>
        new($"No ack within {timeout.TotalMilliseconds:0} ms: the packet could not even be written by then, so the connection was aborted ({ex.Message}). The server may or may not have received it.");

    internal static SocketIoTimeoutException ConnectTimeout(string ns, TimeSpan timeout, string optionsType) =>
        new($"Connecting to namespace '{ns}' took longer than {timeout.TotalSeconds:0.###} s ({optionsType}.ConnectTimeout).");

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

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendEventAsync<TState>(string eventName, TState state, SocketIoArgumentsWriter<TState> writeArguments, IReadOnlyList<ReadOnlyMemory<byte>>? attachments, long ackId, CancellationToken cancellationToken)
    {
        using var message = EngineMessageWriter.Rent(_bufferPool);
        var sentAttachments = WriteEvent(message, eventName, state, writeArguments, attachments, ackId);
        await SendAsync(message, sentAttachments, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes an EVENT (BINARY_EVENT with attachments) packet; returns the attachments to send after it, or null.</summary>
    private IReadOnlyList<ReadOnlyMemory<byte>>? WriteEvent<TState>(EngineMessageWriter message, string eventName, TState state, SocketIoArgumentsWriter<TState> writeArguments, IReadOnlyList<ReadOnlyMemory<byte>>? attachments, long ackId)
    {
        var count = attachments?.Count ?? 0;
        SocketIoPacketWriter.WriteHeader(message, count > 0 ? SocketIoPacketType.BinaryEvent : SocketIoPacketType.Event, _options.Namespace, ackId, count);
        WriteArray(message, eventName, state, writeArguments);
        return count > 0 ? attachments : null;
    }

    /// <summary>Sends CONNECT for the namespace, except where the server connects by itself (protocol 4, <c>/</c>).</summary>
    internal async ValueTask SendConnectAsync(CancellationToken cancellationToken)
    {
        var protocol4 = ProtocolRevision == 4;
        if (protocol4 && IsMainNamespace)
        {
            // docs/protocol.md §3.3: on protocol 4 the server connects the client to "/" and sends "40" by itself;
            // a CONNECT from the client would make it close the connection.
            return;
        }

        using var message = EngineMessageWriter.Rent(_bufferPool);
        SocketIoPacketWriter.WriteHeader(message, SocketIoPacketType.Connect, _options.Namespace);
        if (!_options.Auth.IsEmpty && !protocol4)
        {
            // Protocol 4 has no CONNECT payload; extra data rides in the handshake query instead.
            message.Write(_options.Auth.Span);
        }

        await SendAsync(message, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for the CONNECT reply; sets <see cref="Id"/>.</summary>
    internal async Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        Id = await _connected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

        // Every later reader asks only whether it completed, successfully or not, and it did, successfully.
        Volatile.Write(ref _connected, s_connected);
    }

    private static TaskCompletionSource<string> Connected()
    {
        var done = new TaskCompletionSource<string>();
        done.SetResult(string.Empty);
        return done;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(EngineMessageWriter message, IReadOnlyList<ReadOnlyMemory<byte>>? attachments, CancellationToken cancellationToken)
    {
        try
        {
            await _connection.SendAsync(message, attachments, cancellationToken).ConfigureAwait(false);
        }
        catch (EngineConnectionException ex)
        {
            throw SendFailure(ex);
        }
        catch (EngineMessageTooLargeException ex)
        {
            throw TooLarge(ex);
        }
    }

    /// <summary>A packet the server would refuse, in this layer's terms: Engine.IO exceptions stay below this layer's contract.</summary>
    private static SocketIoMessageTooLargeException TooLarge(EngineMessageTooLargeException ex) => new(ex.Size, ex.Limit, ex);

    /// <summary>What a failed send surfaces as: after-send when the packet may have been delivered.</summary>
    private SocketIoDisconnectedException SendFailure(EngineConnectionException ex)
    {
        var disconnected = Volatile.Read(ref _disconnected);
        if (ex.MayHaveBeenDelivered)
        {
            return new SocketIoDisconnectedException(
                disconnected?.Reason ?? SocketIoDisconnectedException.ReasonOf(ex.Error),
                $"The connection ended while the packet was being sent: the server may or may not have received it. ({ex.Message})",
                ex,
                afterSend: true);
        }

        return disconnected ?? new SocketIoDisconnectedException(SocketIoDisconnectedException.ReasonOf(ex.Error), $"The connection ended: {ex.Message}", ex);
    }

    private void ThrowIfDisconnected()
    {
        var disconnected = Volatile.Read(ref _disconnected);
        if (disconnected is not null)
        {
            throw new SocketIoDisconnectedException(disconnected.Reason, disconnected.Message, disconnected.InnerException);
        }
    }

    /// <summary>
    /// Records the first reason the client stopped being connected, fails every waiting emit with it and, with
    /// <paramref name="notify"/>, tells <see cref="SocketIoNamespaceOptions.OnDisconnected"/> once if the client had connected.
    /// </summary>
    internal void Close(SocketIoDisconnectedException reason, bool notify)
    {
        Interlocked.CompareExchange(ref _disconnected, reason, null);
        var first = Volatile.Read(ref _disconnected)!;
        _acks.Close(first);
        _ackDeadlines.Dispose();
        if (_connected.TrySetException(reason.InnerException ?? reason))
        {
            // Nobody may be waiting for the connect any more (it failed on the send): mark the fault observed.
            _ = _connected.Task.Exception;
        }

        if (!notify || Interlocked.Exchange(ref _notified, 1) != 0)
        {
            return;
        }

        if (_connected.Task.IsCompletedSuccessfully)
        {
            try
            {
                _options.OnDisconnected?.Invoke(first);
            }
#pragma warning disable CA1031 // The callback belongs to the layer above; its failure must not reach the receive loop or the caller.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
