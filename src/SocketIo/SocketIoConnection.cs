using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.SocketIo.Internal;

namespace SailSocket.SocketIo;

/// <summary>
/// One Engine.IO connection shared by several Socket.IO namespaces (the counterpart of socket.io-client's
/// <c>Manager</c>): it opens the connection, runs the one receive loop, and routes each packet — binary attachments
/// included — to the <see cref="SocketIoClient"/> of its namespace.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Each namespace is joined with <see cref="ConnectNamespaceAsync(SocketIoNamespaceOptions, CancellationToken)"/>,
/// which sends CONNECT (with the auth payload on protocol 5) and waits for the reply; a refusal (CONNECT_ERROR) throws
/// <see cref="SocketIoConnectException"/> and leaves the connection and the other namespaces as they were.</item>
/// <item>At most one client per namespace at a time. A client that leaves (<see cref="SocketIoClient.DisconnectAsync"/>,
/// DISCONNECT for its namespace) or that the server disconnects (<c>socket.disconnect()</c> on the server) ends alone;
/// the others stay connected.</item>
/// <item>The connection stays open when its last namespace leaves: it belongs to whoever created it and closes only on
/// <see cref="DisposeAsync"/>, on a protocol error, or when the Engine.IO connection ends — and then every namespace
/// client is disconnected with the same reason.</item>
/// <item>Protocol 4 (Engine.IO 3): the server connects the main namespace by itself, so a client for <c>/</c> sends no
/// CONNECT and is connected as soon as the server's <c>40</c> has arrived (before or after it was created).</item>
/// <item>All members are safe to call from any thread. Events and acks of every namespace are dispatched in arrival order
/// on the one receive loop. <see cref="DisposeAsync"/> is idempotent.</item>
/// </list>
/// </remarks>
public sealed partial class SocketIoConnection : IAsyncDisposable
{
    private readonly SocketIoConnectionOptions _options;
    private readonly EngineConnection _engine;
    /// <summary>Created by the first binary packet: a Sails connection usually never gets one, and idle sockets stay small.</summary>
    private BinaryPacketAssembler? _binary;
    /// <summary>Guards the namespace registry (<see cref="_main"/>, <see cref="_others"/>, <see cref="_mainConnectedByServer"/>).</summary>
    private readonly object _gate = new();

    /// <summary>The client of the main namespace: the Sails case and the fast path of the router (no bytes compared).</summary>
    private SocketIoClient? _main;

    /// <summary>The clients of other namespaces, copy-on-write so the receive loop reads them without the lock.</summary>
    private SocketIoClient[] _others = [];

    /// <summary>
    /// The server's unsolicited <c>40</c> for <c>/</c> (protocol 4) arrived before any client for <c>/</c> existed; the
    /// next client for <c>/</c> is connected by it.
    /// </summary>
    private bool _mainConnectedByServer;

    private Task _receiveLoop = Task.CompletedTask;

    /// <summary>Where the receive loop completes acks (only the loop touches it).</summary>
    internal AckHandoff AckHandoff { get; }

    /// <summary>A cancelled token: the Engine.IO close without its handshake.</summary>
    private static readonly CancellationToken s_aborted = new(canceled: true);

    /// <summary>Why the connection ended; <see langword="null"/> while it is open.</summary>
    private SocketIoDisconnectedException? _closed;
    private int _disposed;

    private SocketIoConnection(SocketIoConnectionOptions options, EngineConnection engine)
    {
        _options = options;
        _engine = engine;
        AckHandoff = new AckHandoff(engine);
        Timer = SharedTimer.Acquire(options.Engine.TimeProvider, options.TimerResolution);
    }

    /// <summary>The Engine.IO connection underneath, read-only: its revision, transport, handshake and upgrade state.</summary>
    public EngineConnectionInfo Engine => _engine.Info;

    /// <summary>
    /// The Socket.IO protocol revision: 5 over Engine.IO 4, 4 over Engine.IO 3 (docs/protocol.md §3.9).
    /// </summary>
    public int ProtocolRevision => _engine.Revision == EngineRevision.V3 ? 4 : 5;

    /// <summary>Whether the connection is open: nothing has ended it yet.</summary>
    public bool IsOpen => Volatile.Read(ref _closed) is null && _engine.IsOpen;

    /// <summary>The timer that drives the namespaces' ack deadlines: leased for the process-wide one, released on dispose.</summary>
    internal SharedTimer Timer { get; }

    internal SocketIoConnectionOptions Options => _options;

    /// <summary>Opens the Engine.IO connection and starts the receive loop; no namespace is connected yet.</summary>
    /// <param name="options">Where and how to connect.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The open connection; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="EngineConnectionException">The Engine.IO connection could not be opened.</exception>
    /// <exception cref="SocketIoTimeoutException">Opening took longer than <see cref="SocketIoConnectionOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="EngineTimeoutException">Opening took longer than <see cref="EngineOptions.ConnectTimeout"/>, set shorter
    /// than <see cref="SocketIoConnectionOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<SocketIoConnection> ConnectAsync(SocketIoConnectionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var deadline = new CancellationTokenSource(options.ConnectTimeout, options.Engine.TimeProvider);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await OpenAsync(options, bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectTimeout(ex, options.Engine, options.ConnectTimeout, cancellationToken))
        {
            throw new SocketIoTimeoutException($"Opening the connection took longer than {options.ConnectTimeout.TotalSeconds:0.###} s (SocketIoConnectionOptions.ConnectTimeout).");
        }
    }

    /// <summary>Connects a namespace over this connection and waits for the server's CONNECT reply.</summary>
    /// <param name="options">The namespace, its auth payload and callbacks.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connected namespace client. Disposing it leaves the namespace; the connection stays open.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">A client for this namespace is already on the connection.</exception>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    /// <exception cref="SocketIoDisconnectedException">The connection has ended.</exception>
    /// <exception cref="EngineConnectionException">The connection ended while waiting for the reply.</exception>
    /// <exception cref="SocketIoConnectException">The server refused the namespace (CONNECT_ERROR), with its message and data.</exception>
    /// <exception cref="SocketIoTimeoutException">No reply within <see cref="SocketIoNamespaceOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<SocketIoClient> ConnectNamespaceAsync(SocketIoNamespaceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var deadline = new CancellationTokenSource(options.ConnectTimeout, Timer.TimeProvider);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await ConnectNamespaceCoreAsync(options, ownsConnection: false, bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw SocketIoClient.ConnectTimeout(options.Namespace, options.ConnectTimeout, nameof(SocketIoNamespaceOptions));
        }
    }

    /// <summary>Connects a namespace over this connection with default callbacks (events dropped).</summary>
    /// <param name="ns">The namespace, such as <c>/chat</c>.</param>
    /// <param name="auth">The auth payload: a UTF-8 JSON object, or empty for none.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connected namespace client.</returns>
    /// <exception cref="ArgumentException">The namespace or the auth payload is invalid.</exception>
    /// <exception cref="SocketIoConnectException">The server refused the namespace (CONNECT_ERROR).</exception>
    /// <exception cref="SocketIoTimeoutException">No reply within 20 seconds.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<SocketIoClient> ConnectNamespaceAsync(string ns, ReadOnlyMemory<byte> auth = default, CancellationToken cancellationToken = default) =>
        ConnectNamespaceAsync(new SocketIoNamespaceOptions { Namespace = ns, Auth = auth }, cancellationToken);

    /// <summary>Closes the connection: every namespace client on it is disconnected. Idempotent.</summary>
    /// <returns>A task that completes when the receive loop has ended and everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await CloseAsync().ConfigureAwait(false);
        await _engine.DisposeAsync().ConfigureAwait(false);
        Timer.Release();
    }

    /// <summary>
    /// Whether a failed open is the connect bound passing: this layer's (<paramref name="connectTimeout"/>), or an Engine.IO
    /// bound that is not shorter. Such a bound ends with this layer's (the Sails layer passes one value as both): one
    /// deadline, so it is reported as <see cref="SocketIoTimeoutException"/> whichever of the two timers fired first.
    /// </summary>
    internal static bool IsConnectTimeout(Exception ex, EngineOptions engine, TimeSpan connectTimeout, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && (ex is OperationCanceledException || (ex is EngineTimeoutException && engine.ConnectTimeout >= connectTimeout));

    /// <summary>Opens the Engine.IO connection and starts the loop; <paramref name="cancellationToken"/> already carries the bound.</summary>
    internal static async Task<SocketIoConnection> OpenAsync(SocketIoConnectionOptions options, CancellationToken cancellationToken)
    {
        var engine = await EngineConnection.ConnectAsync(options.Engine, cancellationToken).ConfigureAwait(false);
        var connection = new SocketIoConnection(options, engine);
        connection._receiveLoop = connection.ReceiveLoopAsync();
        return connection;
    }

    /// <summary>Registers a client, sends CONNECT and waits for the reply; <paramref name="cancellationToken"/> carries the bound.</summary>
    internal async Task<SocketIoClient> ConnectNamespaceCoreAsync(SocketIoNamespaceOptions options, bool ownsConnection, CancellationToken cancellationToken)
    {
        var client = new SocketIoClient(this, options, ownsConnection);
        Register(client);
        try
        {
            await client.SendConnectAsync(cancellationToken).ConfigureAwait(false);
            await client.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (Exception ex)
        {
            Unregister(client);
            client.Close(new SocketIoDisconnectedException(SocketIoDisconnectReason.ClientDisconnect, "The connect did not complete.", ex), notify: false);
            throw;
        }
    }

    /// <summary>Ends the receive loop and waits for it (every client is told on the way out).</summary>
    /// <param name="abort">Skip the close handshake: the server has stopped taking data, so the connection is aborted at once.</param>
    internal async Task CloseAsync(bool abort = false)
    {
        await _engine.CloseAsync(abort ? s_aborted : CancellationToken.None).ConfigureAwait(false);
        await _receiveLoop.ConfigureAwait(false);
    }

    /// <summary>Sends a message on the Engine.IO connection; the namespace client maps a dead connection to its own reason.</summary>
    internal ValueTask SendAsync(EngineMessageWriter message, IReadOnlyList<ReadOnlyMemory<byte>>? attachments, CancellationToken cancellationToken) =>
        _engine.SendAsync(message, attachments, cancellationToken);

    /// <summary>Sends a message that must be written within <paramref name="timeout"/>, or the connection ends (see the Engine.IO overload).</summary>
    internal ValueTask SendAsync(EngineMessageWriter message, IReadOnlyList<ReadOnlyMemory<byte>>? attachments, TimeSpan timeout, CancellationToken cancellationToken) =>
        _engine.SendAsync(message, attachments, timeout, cancellationToken);

    internal void Unregister(SocketIoClient client)
    {
        lock (_gate)
        {
            if (client.IsMainNamespace)
            {
                if (ReferenceEquals(_main, client))
                {
                    // Left (or refused): a later client for "/" waits for a connect reply of its own.
                    _main = null;
                    _mainConnectedByServer = false;
                }

                return;
            }

            var index = Array.IndexOf(_others, client);
            if (index >= 0)
            {
                var others = new SocketIoClient[_others.Length - 1];
                Array.Copy(_others, 0, others, 0, index);
                Array.Copy(_others, index + 1, others, index, others.Length - index);
                Volatile.Write(ref _others, others);
            }
        }
    }

    private void Register(SocketIoClient client)
    {
        var connectNow = false;
        lock (_gate)
        {
            var closed = Volatile.Read(ref _closed);
            if (closed is not null)
            {
                throw new SocketIoDisconnectedException(closed.Reason, closed.Message, closed.InnerException);
            }

            if (client.IsMainNamespace)
            {
                if (_main is not null)
                {
                    throw new InvalidOperationException("A client for namespace '/' is already on this connection.");
                }

                _main = client;
                connectNow = _mainConnectedByServer;
            }
            else
            {
                foreach (var other in _others)
                {
                    if (other.Namespace == client.Namespace)
                    {
                        throw new InvalidOperationException($"A client for namespace '{client.Namespace}' is already on this connection.");
                    }
                }

                Volatile.Write(ref _others, [.. _others, client]);
            }
        }

        if (connectNow)
        {
            client.OnConnect(ReadOnlySpan<byte>.Empty);
        }
    }
}
