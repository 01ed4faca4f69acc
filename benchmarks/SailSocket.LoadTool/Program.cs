using SailSocket.LoadTool;

// The end-to-end load tool (docs/benchmarks.md, "End-to-end: load tool"). Usage: see LoadOptions.Usage.
if (args is ["fleet", .. var fleetArgs])
{
    // A fleet over a lifted three-node cluster: FleetRun, options in FleetRunOptions.Usage.
    return await FleetRun.RunAsync(fleetArgs);
}

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or UriFormatException)
{
    await Console.Error.WriteLineAsync(ex.Message);
    if (ex.Message == LoadOptions.Usage)
    {
        return 0;
    }

    await Console.Error.WriteLineAsync("Run with --help for the options.");
    return 2;
}

if (options.Transport == "polling" && (options.Compare is { } compared ? compared.A == ClientKind.Raw || compared.B == ClientKind.Raw : options.Client == ClientKind.Raw))
{
    await Console.Error.WriteLineAsync("--transport polling: the raw client is a ClientWebSocket floor and speaks WebSocket only.");
    return 2;
}

if (OpenFileLimit.Refusal("--sockets", options.Sockets, options.Transport == "polling" ? 2 : 1) is { } refusal)
{
    await Console.Error.WriteLineAsync(refusal);
    return 2;
}

using var diagnostics = options.ListenDiagnostics ? new DiagnosticsListener() : null;

if (options.Soak)
{
    return await SoakRun.RunAsync(options);
}

var started = DateTime.UtcNow;
LiftedServer? lifted = null;
try
{
    if (options.Tls)
    {
        options.Certificate = TlsCertificate.Create();
        await Console.Error.WriteLineAsync($"--tls: a self-signed certificate for 127.0.0.1 in {options.Certificate.Directory} (deleted at the end)");
    }

    if (options.LiftSails)
    {
        await Console.Error.WriteLineAsync("lifting tests/sails-app …");
        lifted = await LiftedServer.LiftSailsAsync(options.Certificate);
    }
    else if (options.LiftSocketIo)
    {
        await Console.Error.WriteLineAsync("starting benchmarks/socketio-ack-server …");
        lifted = await LiftedServer.LiftSocketIoAsync(options.Certificate);
    }

    var url = lifted?.Url ?? options.Url!;
    var serverName = lifted?.Name ?? "external";
    if (options.Client == ClientKind.Node && options.Compare is null)
    {
        return await NodeLoadRun.RunAsync(options, url, serverName, started);
    }

    if (options.Compare is { } pair)
    {
        return await CompareRun.RunAsync(options, pair, url, serverName, started);
    }

    await using var factory = LoadClients.Create(options.Client, url, options);

    SequentialResult? sequential = null;
    PipelinedResult? pipelined = null;
    SocketsResult? sockets = null;
    string? error = null;
    if (options.RunRequestPhases)
    {
        try
        {
            using var connectBound = new CancellationTokenSource(options.Timeout);
            await using var socket = await factory.ConnectAsync(connectBound.Token);
            if (options.N > 0)
            {
                sequential = await Phases.SequentialAsync(socket, options.N, options.Warmup, options.Timeout);
            }

            if (options.Seconds > 0 && sequential is null or { FirstError: null })
            {
                using var sampler = options.AllocationProfile ? new AllocationSampler() : null;
                pipelined = await Phases.PipelinedAsync(socket, options.Concurrency, options.Seconds, options.Warmup, options.Timeout, sampler);
            }
        }
        catch (Exception ex)
        {
            error = $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    if (options.Sockets > 0 && error is null)
    {
        using var sampler = options.AllocationProfile ? new AllocationSampler() : null;
        sockets = await Phases.SocketsAsync(factory, options.Sockets, options.ConnectConcurrency, options.Timeout, sampler, options.IdleHold);
    }

    var report = new LoadReport(
        factory.Name,
        options.Transport,
        serverName,
        url.ToString(),
        started.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        LoadReport.DescribeMachine(),
        options.Warmup,
        sequential,
        pipelined,
        sockets,
        error);
    Console.Out.WriteLine(report.ToJson());
    await Console.Error.WriteAsync(report.ToSummary());
    return report.Succeeded ? 0 : 1;
}
finally
{
    if (lifted is not null)
    {
        await lifted.DisposeAsync();
    }

    // Last: the server and the node client read the PEM files while they run.
    options.Certificate?.Dispose();
}
