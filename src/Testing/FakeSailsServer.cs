using System;
using System.Collections.Generic;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.Testing.Connections;
using SailSocket.Testing.Protocol;
using SailSocket.Testing.Recording;
using SailSocket.Testing.Routing;
using SailSocket.Testing.Transport;

namespace SailSocket.Testing;

/// <summary>
/// A fake Sails server for tests of code that uses <see cref="SailsClient"/>: routes answer requests, the test pushes
/// events, drops, stalls or refuses connections, and every request is recorded. It speaks the real protocols (Engine.IO
/// 4 or 3, Socket.IO 5 or 4, the Sails envelope and JWR; docs/protocol.md), so the client under test runs unchanged.
/// </summary>
/// <remarks>
/// <para>Two ways to reach it (docs/testing.md says which to pick):</para>
/// <list type="bullet">
/// <item><c>new FakeSailsServer()</c>: in memory, through <see cref="SailsClientOptions.WebSocketFactory"/> — no socket,
/// no port, fast, and deterministic with a fake <see cref="TimeProvider"/> shared with the client.</item>
/// <item><see cref="StartLoopbackAsync"/>: a real WebSocket server on a free 127.0.0.1 port, for code that builds its own
/// <see cref="SailsClientOptions"/> from a URL or needs the handshake headers.</item>
/// </list>
/// <para>Thread-safety: every member may be called from any thread. Route handlers run on the thread pool, several at a
/// time, as requests arrive; a handler must not block on the server's own waits.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var server = new FakeSailsServer();
/// server.Get("/user/:id", req => FakeResponse.Json($$"""{"id":{{req.Params["id"]}}}"""));
/// await using var client = new SailsClient(server.CreateClientOptions());
/// await using var socket = await client.ConnectAsync();
/// var response = await socket.GetAsync("/user/7");
/// </code>
/// </example>
public sealed partial class FakeSailsServer : IAsyncDisposable
{
    /// <summary>Where in-memory clients "connect": the factory intercepts every WebSocket, so nothing is ever sent here.</summary>
    private static readonly Uri s_inMemoryUrl = new("http://127.0.0.1:1/");

    private readonly RouteTable _routes = new();
    private readonly BoundedLog<FakeRequest> _received;
    private readonly BoundedLog<FakeSocket> _newSockets;
    private readonly object _gate = new();
    private readonly HashSet<FakeConnection> _connections = [];
    private readonly List<FakeSocket> _sockets = [];
    private readonly Dictionary<string, HashSet<FakeSocket>> _rooms = new(StringComparer.Ordinal);
    private LoopbackListener? _listener;
    private (int Status, string Reason)? _refusal;
    private int _attempts;
    private int _disposed;

    /// <summary>Creates an in-memory server: connect clients with <see cref="CreateClientOptions"/>.</summary>
    /// <param name="options">Its behaviour; default <c>new FakeSailsServerOptions()</c>.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public FakeSailsServer(FakeSailsServerOptions? options = null)
    {
        Options = options ?? new FakeSailsServerOptions();
        Options.Validate();
        _received = new BoundedLog<FakeRequest>(Options.MaxRecordedRequests, consume: false);
        _newSockets = new BoundedLog<FakeSocket>(Options.MaxRecordedRequests, consume: true);
        Url = s_inMemoryUrl;
        WebSocketFactory = ConnectInMemoryAsync;
    }

    /// <summary>The options the server was created with.</summary>
    public FakeSailsServerOptions Options { get; }

    /// <summary>
    /// The server's URL: <c>http://127.0.0.1:&lt;port&gt;/</c> for a loopback server; for an in-memory one a placeholder
    /// that only works together with <see cref="WebSocketFactory"/>.
    /// </summary>
    public Uri Url { get; private set; }

    /// <summary>
    /// The factory to put in <see cref="SailsClientOptions.WebSocketFactory"/> for an in-memory server, or
    /// <see langword="null"/> for a loopback one (real sockets).
    /// </summary>
    public Func<Uri, CancellationToken, ValueTask<WebSocket>>? WebSocketFactory { get; private set; }

    /// <summary>Whether the server listens on a 127.0.0.1 port (<see cref="StartLoopbackAsync"/>).</summary>
    public bool IsLoopback => _listener is not null;

    /// <summary>How many connections clients attempted, refused or not.</summary>
    public int ConnectionAttempts => Volatile.Read(ref _attempts);

    /// <summary>
    /// Starts a server that listens on a free port of 127.0.0.1 (never another interface) and speaks WebSocket over real
    /// TCP. Long-polling is not served: clients must use the WebSocket transport (the default).
    /// </summary>
    /// <param name="options">Its behaviour; default <c>new FakeSailsServerOptions()</c>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static Task<FakeSailsServer> StartLoopbackAsync(FakeSailsServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var server = new FakeSailsServer(options);
        server._listener = LoopbackListener.Start(server);
        server.Url = new Uri($"http://127.0.0.1:{server._listener.Port}/");
        server.WebSocketFactory = null;
        return Task.FromResult(server);
    }

    /// <summary>
    /// Client options that reach this server: <see cref="SailsClientOptions.Url"/>, <see cref="SailsClientOptions.WebSocketFactory"/>
    /// (in memory), the matching <see cref="SailsClientOptions.Revision"/> and the server's <see cref="FakeSailsServerOptions.TimeProvider"/>.
    /// To set more options, copy these four into your own <see cref="SailsClientOptions"/>.
    /// </summary>
    public SailsClientOptions CreateClientOptions() => new()
    {
        Url = Url,
        WebSocketFactory = WebSocketFactory,
        Revision = Options.Revision == EngineRevision.V3 ? EngineRevisionSelection.V3 : EngineRevisionSelection.V4,
        TimeProvider = Options.TimeProvider,
    };

    /// <summary>
    /// Refuses every new connection until <see cref="AcceptConnections"/>: the handshake fails with HTTP
    /// <paramref name="statusCode"/> and <paramref name="reason"/> as the body, as Sails' <c>beforeConnect</c> refusal does.
    /// Open connections are not touched (drop them with <see cref="FakeSocket.DropAsync"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is not a 4xx or 5xx status.</exception>
    public void RefuseConnections(int statusCode = 403, string reason = "Refused by the fake server")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400, nameof(statusCode));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599, nameof(statusCode));
        ArgumentNullException.ThrowIfNull(reason);
        lock (_gate)
        {
            _refusal = (statusCode, reason);
        }
    }

    /// <summary>Accepts new connections again after <see cref="RefuseConnections"/>.</summary>
    public void AcceptConnections()
    {
        lock (_gate)
        {
            _refusal = null;
        }
    }

    /// <summary>Ends every connection (as <see cref="FakeSocket.DropAsync"/>) and stops listening. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        FakeConnection[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            await connection.CloseAsync(disconnect: false, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Decides a handshake: null to accept it, or the HTTP status and body of the refusal (protocol.md §2.9).
    /// </summary>
    internal (int Status, string Body)? CheckHandshake(IReadOnlyDictionary<string, string> query)
    {
        Interlocked.Increment(ref _attempts);
        lock (_gate)
        {
            if (_refusal is { } refusal)
            {
                return refusal;
            }
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            return (503, "The fake server is disposed.");
        }

        if (!query.TryGetValue("transport", out var transport) || transport != "websocket")
        {
            return (400, """{"code":0,"message":"Transport unknown"}""");
        }

        if (query.ContainsKey("sid"))
        {
            return (400, """{"code":1,"message":"Session ID unknown"}""");
        }

        var revision = query.TryGetValue("EIO", out var eio) && eio == "4" ? EngineRevision.V4 : EngineRevision.V3;
        return revision != Options.Revision ? (400, """{"code":5,"message":"Unsupported protocol version"}""") : null;
    }

    /// <summary>Starts serving an accepted WebSocket.</summary>
    internal void Accept(WebSocket webSocket, System.IO.Stream stream, IReadOnlyDictionary<string, string> query, IReadOnlyDictionary<string, string> headers)
    {
        var sid = NewId();
        var socketId = Options.Revision == EngineRevision.V3 ? sid : NewId();
        var socket = new FakeSocket(this, sid, socketId, query, headers);
        var connection = new FakeConnection(this, webSocket, stream, socket);
        socket.Attach(connection);
        lock (_gate)
        {
            _connections.Add(connection);
        }

        connection.Start();
    }

    /// <summary>Called by a connection once its Socket.IO connect is done.</summary>
    internal void OnConnected(FakeConnection connection)
    {
        lock (_gate)
        {
            _sockets.Add(connection.Socket);
        }

        _newSockets.Add(connection.Socket);
    }

    /// <summary>Called by a connection when it has ended: it leaves the list and every room.</summary>
    internal void OnClosed(FakeConnection connection, bool wasConnected)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
            if (!wasConnected)
            {
                return;
            }

            _sockets.Remove(connection.Socket);
            foreach (var members in _rooms.Values)
            {
                members.Remove(connection.Socket);
            }
        }
    }

    private ValueTask<WebSocket> ConnectInMemoryAsync(Uri uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<WebSocket>(cancellationToken);
        }

        var query = SailsEnvelopeReader.ParseQuery(uri.Query.AsSpan().TrimStart('?'));
        if (CheckHandshake(query) is { } refusal)
        {
            return ValueTask.FromException<WebSocket>(new EngineConnectionException(
                EngineConnectionError.HandshakeRefused,
                $"The server refused the WebSocket handshake at {uri.GetLeftPart(UriPartial.Path)} with HTTP {refusal.Status}: {refusal.Body}",
                null,
                refusal.Status)
            { HttpResponseBody = refusal.Body });
        }

        var (serverStream, clientStream) = InMemoryStream.CreatePair();
        var server = WebSocket.CreateFromStream(serverStream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var client = WebSocket.CreateFromStream(clientStream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        Accept(server, serverStream, query, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
        return ValueTask.FromResult(client);
    }

    /// <summary>A 20-character URL-safe random id, the shape of engine.io's ids.</summary>
    private static string NewId()
    {
        Span<byte> bytes = stackalloc byte[15];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }
}
