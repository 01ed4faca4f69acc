using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.TestServers;

/// <summary>
/// A real Sails cluster: one <see cref="RedisServer"/> and several nodes of the bundled app (tests/sails-app), each a
/// <see cref="SailsServer"/> on its own 127.0.0.1 port, sharing rooms and broadcasts through the Socket.IO Redis adapter
/// and sessions through the Redis session store (<c>SAILS_REDIS_URL</c>; node <c>i</c> answers <c>GET /node</c> with
/// <c>NODE_NAME</c> <c>a</c>, <c>b</c>, <c>c</c>, …).
/// </summary>
/// <remarks>
/// Nodes can be killed (SIGKILL), frozen (SIGSTOP) and thawed (SIGCONT), and restarted on the same port; Redis can be
/// restarted on its port. Every process is stopped by process id at <see cref="DisposeAsync"/> (a frozen node included:
/// SIGKILL ends a stopped process) and each has a parent-death watchdog, so nothing outlives the test run. Not
/// thread-safe: drive it from one test at a time.
/// </remarks>
public sealed class SailsCluster : IAsyncDisposable
{
    private readonly SailsServer?[] _nodes;
    private readonly int[] _ports;
    private readonly bool[] _frozen;
    private readonly List<SailsServer> _killed = [];
    private readonly IReadOnlyDictionary<string, string> _environment;

    private SailsCluster(RedisServer redis, SailsServer[] nodes, IReadOnlyDictionary<string, string> environment)
    {
        Redis = redis;
        _nodes = nodes;
        _ports = nodes.Select(n => n.Port).ToArray();
        _frozen = new bool[nodes.Length];
        _environment = environment;
        Urls = nodes.Select(n => n.Url).ToArray();
    }

    /// <summary>The shared Redis server.</summary>
    public RedisServer Redis { get; }

    /// <summary>How many nodes the cluster has.</summary>
    public int NodeCount => _nodes.Length;

    /// <summary>Each node's base URL, by index; a restarted node keeps its URL.</summary>
    public IReadOnlyList<Uri> Urls { get; }

    /// <summary>The name node <paramref name="index"/> reports in <c>GET /node</c>: <c>a</c>, <c>b</c>, <c>c</c>, ….</summary>
    /// <param name="index">The node's index.</param>
    /// <returns>The name.</returns>
    public static string NodeName(int index) => ((char)('a' + index)).ToString();

    /// <summary>Node <paramref name="index"/>, or <see langword="null"/> after <see cref="Kill"/> until <see cref="RestartAsync"/>.</summary>
    /// <param name="index">The node's index.</param>
    /// <returns>The node's server.</returns>
    public SailsServer? Node(int index) => _nodes[index];

    /// <summary>Starts Redis, then <paramref name="nodeCount"/> nodes (lifted in parallel), and waits until every one listens.</summary>
    /// <param name="nodeCount">How many Sails nodes; default 3.</param>
    /// <param name="environment">Extra environment variables for every node (see tests/sails-app/README.md), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster; dispose it to stop everything.</returns>
    public static async Task<SailsCluster> StartAsync(int nodeCount = 3, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodeCount, 26);
        environment ??= new Dictionary<string, string>();
        var redis = await RedisServer.StartAsync(cancellationToken);
        var starts = Enumerable.Range(0, nodeCount).Select(i => StartNodeAsync(redis, i, port: null, environment, cancellationToken)).ToArray();
        try
        {
            var nodes = await Task.WhenAll(starts);
            return new SailsCluster(redis, nodes, environment);
        }
        catch
        {
            foreach (var start in starts)
            {
                if (start.IsCompletedSuccessfully)
                {
                    await start.Result.DisposeAsync();
                }
            }

            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills node <paramref name="index"/> at once (SIGKILL: a crash, as far as clients can tell).</summary>
    /// <param name="index">The node's index.</param>
    public void Kill(int index)
    {
        var node = _nodes[index] ?? throw new InvalidOperationException($"Node {NodeName(index)} is not running.");
        node.Kill();
        _killed.Add(node);
        _nodes[index] = null;
        _frozen[index] = false;
    }

    /// <summary>Freezes node <paramref name="index"/> (SIGSTOP): its connections stay open, nothing is answered, heartbeats included.</summary>
    /// <param name="index">The node's index.</param>
    public void Freeze(int index)
    {
        var node = _nodes[index] ?? throw new InvalidOperationException($"Node {NodeName(index)} is not running.");
        node.Pause();
        _frozen[index] = true;
    }

    /// <summary>Lets a frozen node run again (SIGCONT).</summary>
    /// <param name="index">The node's index.</param>
    public void Thaw(int index)
    {
        var node = _nodes[index] ?? throw new InvalidOperationException($"Node {NodeName(index)} is not running.");
        node.Resume();
        _frozen[index] = false;
    }

    /// <summary>Stops node <paramref name="index"/> if it runs (frozen or not) and lifts it again on the same port.</summary>
    /// <param name="index">The node's index.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the node listens again.</returns>
    public async Task RestartAsync(int index, CancellationToken cancellationToken = default)
    {
        if (_nodes[index] is { } old)
        {
            _nodes[index] = null;
            _frozen[index] = false;
            await old.DisposeAsync();
        }

        _nodes[index] = await StartNodeAsync(Redis, index, _ports[index], _environment, cancellationToken);
    }

    /// <summary>Thaws every frozen node, lifts every killed one again, so that each test starts from a whole cluster.</summary>
    /// <param name="cancellationToken">Cancels the starts.</param>
    /// <returns>A task that completes when every node listens and Redis runs.</returns>
    public async Task HealAsync(CancellationToken cancellationToken = default)
    {
        if (!Redis.IsRunning)
        {
            await Redis.RestartAsync(cancellationToken);
        }

        var restarts = new List<Task>();
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (_frozen[i])
            {
                Thaw(i);
            }

            if (_nodes[i] is not { IsRunning: true })
            {
                restarts.Add(RestartAsync(i, cancellationToken));
            }
        }

        await Task.WhenAll(restarts);
    }

    /// <summary>Stops every node (a frozen one too) and then Redis, by process id.</summary>
    /// <returns>A task that completes when every process has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (_nodes[i] is { } node)
            {
                _nodes[i] = null;
                if (_frozen[i])
                {
                    try
                    {
                        node.Resume();
                    }
                    catch (InvalidOperationException)
                    {
                        // Already gone: the SIGKILL below is what matters.
                    }
                }

                await node.DisposeAsync();
            }
        }

        foreach (var node in _killed)
        {
            await node.DisposeAsync();
        }

        _killed.Clear();
        await Redis.DisposeAsync();
    }

    private static Task<SailsServer> StartNodeAsync(RedisServer redis, int index, int? port, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var nodeEnvironment = new Dictionary<string, string>(environment)
        {
            ["SAILS_REDIS_URL"] = redis.Url.ToString().TrimEnd('/'),
            ["NODE_NAME"] = NodeName(index),
        };
        if (port is { } p)
        {
            nodeEnvironment["PORT"] = p.ToString(CultureInfo.InvariantCulture);
        }

        return SailsServer.StartAsync(nodeEnvironment, cancellationToken);
    }
}
