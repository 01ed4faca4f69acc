using System.Globalization;

namespace SailSocket.LoadTool;

/// <summary>Which client the load tool drives.</summary>
internal enum ClientKind
{
    /// <summary>SailSocket's <see cref="SailsSocket"/>.</summary>
    SailSocket,

    /// <summary>A minimal <see cref="System.Net.WebSockets.ClientWebSocket"/> client with pre-encoded frames: the floor.</summary>
    Raw,

    /// <summary>The SocketIOClient NuGet package (3.0.6).</summary>
    SocketIoClient,

    /// <summary>SailSocket's Socket.IO layer alone (no Sails layer): which layer a gap to the floor comes from.</summary>
    SailSocketIo,

    /// <summary>SailSocket with <see cref="Engine.EngineWebSocketEngine.Managed"/>: owned upgrade, batched writes.</summary>
    SailSocketManaged,

    /// <summary>As <see cref="SailSocketManaged"/>, with <see cref="SailsClientOptions.ReceiveThread"/>: a thread per socket runs its reads.</summary>
    SailSocketThread,

    /// <summary>Node's socket.io-client 4.8.1 in a child process (benchmarks/socketio-ack-server/client.js).</summary>
    Node,
}

/// <summary>The command line (see <see cref="Usage"/>).</summary>
internal sealed class LoadOptions
{
    public const string Usage = """
        SailSocket load tool: round trips, throughput, CPU and allocation per request, many sockets (docs/benchmarks.md).

          --url U                    the server (http://127.0.0.1:1337); or one of:
          --lift-sails               lift the bundled Sails app (tests/sails-app) on 127.0.0.1
          --lift-socketio            lift benchmarks/socketio-ack-server on 127.0.0.1 (npm ci on first use)
          --client C                 sailsocket (default; WebSocketEngine = ClientWebSocket) | raw | socketioclient |
                                     sailsocket-io (SailSocket's Socket.IO layer without the Sails layer: which
                                     layer a gap comes from) | sailsocket-managed (WebSocketEngine = Managed, the
                                     SailsClient default) | sailsocket-thread (Managed, and each socket's reads on a
                                     thread of its own: SailsClientOptions.ReceiveThread) | node (socket.io-client 4.8.1 in a child process,
                                     benchmarks/socketio-ack-server/client.js; WebSocket only)
          --transport T              websocket (default) | polling
          --tls                      https/wss: with --lift-socketio or --lift-sails, a throwaway self-signed
                                     certificate (ECDSA P-256, 127.0.0.1 and localhost, one day) is made at start in a
                                     temporary folder (deleted at the end), the server is lifted with it, and every
                                     client trusts exactly that certificate (pinned; node: client.js --ca); not with
                                     socketioclient or --soak
          --n N                      sequential GET /echo?i=k round trips measured (default 2000)
          --concurrency C            outstanding requests in the pipelined phase (default 32)
          --seconds T                length of the pipelined phase (default 10)
          --warmup W                 sequential round trips before measuring, and W pipelined ones (default 500;
                                     for ratios against the floor use 20000, so that the JIT's tiering has finished)
          --sockets K                open K sockets (bounded connect concurrency), one request each; alone, this
                                     skips the request phases unless --n or --seconds is given too. Reports the
                                     time, and this process's and the lifted server's CPU, at each tenth connected
          --connect-concurrency M    connects in flight at once in the sockets phase (default 64)
          --timeout S                bound on any single wait: a connect, a request, a phase's drain (default 30)
          --idle-hold S              after weighing the idle sockets, keep them open S more seconds (default 0), so
                                     that a heap dump can be taken (dotnet-gcdump collect -p PID; the PID is printed)
          --alloc-profile            sample allocations by type during the pipelined phase and while the sockets
                                     connect (GCAllocationTick) and report the top types; the run's own figures
                                     then include the sampler's cost
          --listen-diagnostics       listen to SailSocket's meter and activity source for the whole run, as an
                                     OpenTelemetry SDK would: every instrument enabled, every activity recorded

        Paired comparison: two clients in one run against the same server, interleaved so that the machine's
        drift hits both alike; reports both clients' figures and the ratios B/A (instead of --client).
          --compare A,B              any two of raw | sailsocket | socketioclient | sailsocket-io |
                                     sailsocket-managed | sailsocket-thread | node (raw,raw: the A/A control); one socket each, both
                                     connected throughout; --warmup W round trips on each, then the sequential phase
                                     in alternating blocks (A B, B A, A B, …) of --block round trips per client until
                                     each has --n, then the pipelined phase in alternating slices of --slice seconds
                                     (--concurrency outstanding, one client active at a time) until each has
                                     --seconds. CPU, allocation and thread-pool items are taken
                                     around each block and slice and summed per client. Besides the ratios of the
                                     pooled figures, the median (and quartiles) of the per-block-pair p50 ratios and
                                     of the per-slice-pair requests/s ratios: the figures least moved by drift.
                                     node runs in a child process driven block by block (client.js --mode serve):
                                     its latencies and CPU are its own process's, allocation columns n/a.
          --block B                  sequential round trips per client per block (default 50)
          --slice S                  seconds per pipelined slice (default 0.25)

        Soak (long) mode, SailSocket only: K sockets with reconnection on, a steady request rate spread over them
        (GET /echo?i=k checked against its answer, every --post-every-th a POST /echo with a body), and a room
        broadcast every --broadcast-seconds so that server events flow to every socket; a sample every S seconds.
          --soak                     run the soak instead of the phases above (--sockets defaults to 200)
          --minutes M                length of the soak (default 10)
          --rate R                   requests per second over all sockets (default 100; broadcasts not included)
          --sample-seconds S         one sample every S seconds (default 60)
          --post-every P             every P-th request is a POST with a JSON body (default 20; 0: none)
          --broadcast-seconds B      one POST /room/broadcast to the soak room every B seconds (default 1; 0: none)
          --restart-every N          with --lift-sails: kill the server every N seconds and lift it again on the
                                     same port; requests the restarts fail are counted as interrupted, not failed
          --max-in-flight F          requests outstanding at most; beyond, a due request is skipped and counted
                                     (the machine is not keeping up) (default 4096)
        Prints one JSON line per sample and a summary line (heap and fd slopes, totals) on stdout, a readable line
        for each on stderr. Exit code 1 when any request was lost (neither answered nor failed after the drain) or
        failed unexpectedly (a wrong status or echo, a timeout, or without restarts any exception), when an expected
        event did not arrive on a connection that never dropped, when a room rejoin failed after a reconnect, or when
        a socket did not connect or was not connected at the end.

        Prints one JSON line (snake_case) on stdout and a readable summary on stderr. Exit code 0 when every request
        and socket succeeded, 1 on failures, 2 on a bad command line. Only 127.0.0.1/localhost URLs are accepted.
        """;

    public Uri? Url { get; private set; }

    public bool LiftSails { get; private set; }

    public bool LiftSocketIo { get; private set; }

    public ClientKind Client { get; private set; } = ClientKind.SailSocket;

    public string Transport { get; private set; } = "websocket";

    /// <summary><c>--tls</c>: the lifted server speaks https/wss with <see cref="Certificate"/>.</summary>
    public bool Tls { get; private set; }

    /// <summary>
    /// With <c>--tls</c>: the run's certificate, made by <c>Program</c> before the server is lifted (not by the parser, so
    /// that a bad command line leaves no folder behind); the client factories pin it.
    /// </summary>
    public TlsCertificate? Certificate { get; set; }

    public int N { get; private set; } = 2000;

    public int Concurrency { get; private set; } = 32;

    public double Seconds { get; private set; } = 10;

    public int Warmup { get; private set; } = 500;

    public int Sockets { get; private set; }

    public int ConnectConcurrency { get; private set; } = 64;

    /// <summary><c>--idle-hold S</c>: how long the idle sockets stay open after they are weighed (for a heap dump).</summary>
    public TimeSpan IdleHold { get; private set; }

    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(30);

    public bool RunRequestPhases { get; private set; } = true;

    public bool AllocationProfile { get; private set; }

    /// <summary><c>--listen-diagnostics</c>: a MeterListener and an ActivityListener on <c>SailSocket</c> for the whole run.</summary>
    public bool ListenDiagnostics { get; private set; }

    /// <summary>With <c>--compare A,B</c>: the two clients, measured interleaved in one process.</summary>
    public (ClientKind A, ClientKind B)? Compare { get; private set; }

    public int Block { get; private set; } = 50;

    public double SliceSeconds { get; private set; } = 0.25;

    public bool Soak { get; private set; }

    public double Minutes { get; private set; } = 10;

    public double Rate { get; private set; } = 100;

    public double SampleSeconds { get; private set; } = 60;

    public int PostEvery { get; private set; } = 20;

    public double BroadcastSeconds { get; private set; } = 1;

    public double RestartEverySeconds { get; private set; }

    public int MaxInFlight { get; private set; } = 4096;

    public static string ClientName(ClientKind kind) => kind switch
    {
        ClientKind.SailSocket => "sailsocket",
        ClientKind.Raw => "raw",
        ClientKind.SailSocketIo => "sailsocket-io",
        ClientKind.SailSocketManaged => "sailsocket-managed",
        ClientKind.SailSocketThread => "sailsocket-thread",
        ClientKind.Node => "node",
        _ => "socketioclient",
    };

    /// <summary>Parses the command line.</summary>
    /// <exception cref="ArgumentException">Anything wrong with it; the message says what.</exception>
    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        var requestPhasesAsked = false;
        var clientAsked = false;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{name} needs a value.");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--url":
                    options.Url = new Uri(Value(), UriKind.Absolute);
                    break;
                case "--lift-sails":
                    options.LiftSails = true;
                    break;
                case "--lift-socketio":
                    options.LiftSocketIo = true;
                    break;
                case "--client":
                    options.Client = Kind(name, Value());
                    clientAsked = true;
                    break;
                case "--compare":
                    var pair = Value().Split(',');
                    if (pair.Length != 2)
                    {
                        throw new ArgumentException($"--compare needs two clients separated by a comma (raw,sailsocket), not '{string.Join(',', pair)}'.");
                    }

                    options.Compare = (Kind(name, pair[0]), Kind(name, pair[1]));
                    break;
                case "--block":
                    options.Block = Int(name, Value(), 1, 1_000_000);
                    break;
                case "--slice":
                    options.SliceSeconds = Double(name, Value(), 0.1, 3600);
                    break;
                case "--transport":
                    options.Transport = Value() switch
                    {
                        "websocket" => "websocket",
                        "polling" => "polling",
                        var other => throw new ArgumentException($"--transport must be websocket or polling, not '{other}'."),
                    };
                    break;
                case "--tls":
                    options.Tls = true;
                    break;
                case "--n":
                    options.N = Int(name, Value(), 0, 10_000_000);
                    requestPhasesAsked = true;
                    break;
                case "--concurrency":
                    options.Concurrency = Int(name, Value(), 1, 10_000);
                    break;
                case "--seconds":
                    options.Seconds = Double(name, Value(), 0, 3600);
                    requestPhasesAsked = true;
                    break;
                case "--warmup":
                    options.Warmup = Int(name, Value(), 0, 1_000_000);
                    break;
                case "--sockets":
                    options.Sockets = Int(name, Value(), 1, 100_000);
                    break;
                case "--connect-concurrency":
                    options.ConnectConcurrency = Int(name, Value(), 1, 10_000);
                    break;
                case "--idle-hold":
                    options.IdleHold = TimeSpan.FromSeconds(Double(name, Value(), 0, 3600));
                    break;
                case "--timeout":
                    options.Timeout = TimeSpan.FromSeconds(Double(name, Value(), 1, 600));
                    break;
                case "--alloc-profile":
                    options.AllocationProfile = true;
                    break;
                case "--listen-diagnostics":
                    options.ListenDiagnostics = true;
                    break;
                case "--soak":
                    options.Soak = true;
                    break;
                case "--minutes":
                    options.Minutes = Double(name, Value(), 0.05, 24 * 60);
                    break;
                case "--rate":
                    options.Rate = Double(name, Value(), 0.1, 100_000);
                    break;
                case "--sample-seconds":
                    options.SampleSeconds = Double(name, Value(), 1, 3600);
                    break;
                case "--post-every":
                    options.PostEvery = Int(name, Value(), 0, 1_000_000);
                    break;
                case "--broadcast-seconds":
                    options.BroadcastSeconds = Double(name, Value(), 0, 3600);
                    break;
                case "--restart-every":
                    options.RestartEverySeconds = Double(name, Value(), 5, 24 * 3600);
                    break;
                case "--max-in-flight":
                    options.MaxInFlight = Int(name, Value(), 1, 1_000_000);
                    break;
                case "-h" or "--help":
                    throw new ArgumentException(Usage);
                default:
                    throw new ArgumentException($"Unknown argument '{name}'.");
            }
        }

        var sources = (options.Url is null ? 0 : 1) + (options.LiftSails ? 1 : 0) + (options.LiftSocketIo ? 1 : 0);
        if (sources != 1)
        {
            throw new ArgumentException("Give exactly one of --url, --lift-sails, --lift-socketio.");
        }

        // Load traffic goes to this machine only.
        if (options.Url is { } url && !url.IsLoopback)
        {
            throw new ArgumentException($"--url must be a loopback address (127.0.0.1, localhost, [::1]): '{url}'.");
        }

        if (options.Url is { Scheme: not ("http" or "ws") })
        {
            throw new ArgumentException("--url must be http:// or ws://: for TLS, --tls lifts the server with a certificate the clients pin.");
        }

        if (options.Tls)
        {
            var refusal = options switch
            {
                { LiftSocketIo: false, LiftSails: false } => "--tls lifts the server with a certificate of its own: it needs --lift-socketio or --lift-sails.",
                { Soak: true } => "--tls does not combine with --soak (a Sails server).",
                { Client: ClientKind.SocketIoClient, Compare: null } => "--tls: the socketioclient client has no certificate pin here; use raw, sailsocket, sailsocket-io, sailsocket-managed, sailsocket-thread or node.",
                { Compare: { } tlsPair } when tlsPair.A == ClientKind.SocketIoClient || tlsPair.B == ClientKind.SocketIoClient => "--tls: the socketioclient client has no certificate pin here.",
                _ => null,
            };
            if (refusal is not null)
            {
                throw new ArgumentException(refusal);
            }
        }

        if (options.Soak)
        {
            if (options.Client != ClientKind.SailSocket)
            {
                throw new ArgumentException("--soak drives SailSocket only (--client sailsocket).");
            }

            if (options.LiftSocketIo)
            {
                throw new ArgumentException("--soak needs a Sails server (rooms, JWR): --lift-sails or --url.");
            }

            if (options.Sockets == 0)
            {
                options.Sockets = 200;
            }
        }

        if (options.Compare is not null)
        {
            var clash = options switch
            {
                { Soak: true } => "--soak",
                { Sockets: > 0 } => "--sockets",
                { AllocationProfile: true } => "--alloc-profile",
                _ when clientAsked => "--client",
                _ => null,
            };
            if (clash is not null)
            {
                throw new ArgumentException($"--compare runs the two request phases for the two clients it names; it does not combine with {clash}.");
            }
        }

        if (options.RestartEverySeconds > 0 && !(options.Soak && options.LiftSails))
        {
            throw new ArgumentException("--restart-every needs --soak and --lift-sails (the tool restarts the server it lifted).");
        }

        if (options.Transport == "polling" && (options.Compare is { } compared ? compared.A == ClientKind.Node || compared.B == ClientKind.Node : options.Client == ClientKind.Node))
        {
            throw new ArgumentException("--transport polling: the node client (client.js) speaks WebSocket only.");
        }

        options.RunRequestPhases = options.Sockets == 0 || requestPhasesAsked;
        return options;
    }

    private static ClientKind Kind(string name, string text) => text switch
    {
        "sailsocket" => ClientKind.SailSocket,
        "raw" => ClientKind.Raw,
        "socketioclient" => ClientKind.SocketIoClient,
        "sailsocket-io" => ClientKind.SailSocketIo,
        "sailsocket-managed" => ClientKind.SailSocketManaged,
        "sailsocket-thread" => ClientKind.SailSocketThread,
        "node" => ClientKind.Node,
        _ => throw new ArgumentException($"{name} must be sailsocket, raw, socketioclient, sailsocket-io, sailsocket-managed, sailsocket-thread or node, not '{text}'."),
    };

    private static int Int(string name, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"{name} must be an integer from {min} to {max}, not '{text}'.");
        }

        return value;
    }

    private static double Double(string name, string text, double min, double max)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"{name} must be a number from {min} to {max}, not '{text}'.");
        }

        return value;
    }
}
