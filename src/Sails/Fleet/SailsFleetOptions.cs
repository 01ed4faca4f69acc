using System;
using System.Collections.Generic;

namespace SailSocket.Fleet;

/// <summary>The settings of a <see cref="SailsFleet"/>: its nodes, its size, where each socket goes, and how fast sockets connect.</summary>
/// <remarks>Checked by <see cref="Validate"/> when the fleet is created; the fleet keeps this instance and never changes it.</remarks>
public sealed class SailsFleetOptions
{
    /// <summary>
    /// The most sockets one fleet holds: 100,000. A socket is one open file on the client (these machines allow 20,000 per
    /// process) and about 16 KB of heap idle (docs/benchmarks.md); past this a single process is the wrong tool.
    /// </summary>
    public const int MaxSocketCount = 100_000;

    /// <summary>The servers (the nodes of one Sails app), e.g. <c>http://10.0.0.1:1337</c>. Required: at least one.</summary>
    public IReadOnlyList<Uri> Nodes { get; init; } = [];

    /// <summary>How many sockets the fleet opens, 1 to <see cref="MaxSocketCount"/>. Required.</summary>
    public int SocketCount { get; init; }

    /// <summary>
    /// Where socket <c>i</c> (0 to <see cref="SocketCount"/> - 1) goes: called once per socket with its index and
    /// <see cref="Nodes"/>, it returns one of the nodes (the same <see cref="Uri"/> instance or an equal one). Default
    /// <see langword="null"/>: round robin, socket <c>i</c> on node <c>i mod Nodes.Count</c>.
    /// </summary>
    public Func<int, IReadOnlyList<Uri>, Uri>? Placement { get; init; }

    /// <summary>
    /// The most connection attempts per second over the whole fleet: first connects and every reconnection attempt
    /// alike, so that the sockets of a node that dies do not all reconnect at once; 0.01 to 1,000,000. Default 500 per second (the three
    /// test nodes took 250–480 handshakes a second on two shared cores, so the gate rather than the servers bounds a fleet of 15,000 only on a faster machine: at least 30 s).
    /// </summary>
    public double ConnectRate { get; init; } = 500;

    /// <summary>How many attempts may start at once after a quiet spell, before the rate applies: 1 to <see cref="MaxSocketCount"/>. Default 50.</summary>
    public int ConnectBurst { get; init; } = 50;

    /// <summary>
    /// The random share of one attempt's interval (1 / <see cref="ConnectRate"/>) added to each wait, from 0 to 1, so
    /// that attempts granted together do not start on the same instant. Default 0.5. The reconnection backoff's own
    /// jitter (<see cref="SailsReconnectionOptions.RandomizationFactor"/>) applies before it.
    /// </summary>
    public double ConnectJitter { get; init; } = 0.5;

    /// <summary>
    /// Whether a socket whose node fails moves to the others: each socket's failover list is its node, then the other
    /// <see cref="Nodes"/> (the client's failover, docs/cluster.md; the client shares what it learns of a failed node with
    /// every socket). Default <see langword="true"/>. <see cref="SailsClientOptions.Urls"/>, when set in
    /// <see cref="ClientOptions"/>, is used instead of <see cref="Nodes"/>; without failover a socket reconnects to its
    /// own node only.
    /// </summary>
    public bool Failover { get; init; } = true;

    /// <summary>
    /// The options of the fleet's one <see cref="SailsClient"/>, a template for every socket: timeouts, reconnection and
    /// its backoff, limits, clock, transports. <see cref="SailsClientOptions.Url"/> is not used (each socket gets its
    /// node) and <see cref="SailsClientOptions.AutoConnect"/> neither (<see cref="SailsFleet.ConnectAsync"/> connects).
    /// Default: the defaults with reconnection on.
    /// </summary>
    public SailsClientOptions ClientOptions { get; init; } = new() { Reconnection = new SailsReconnectionOptions { Enabled = true } };

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the exception's parameter name is the option.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Nodes, nameof(Nodes));
        if (Nodes.Count == 0)
        {
            throw new ArgumentException("A fleet needs at least one node.", nameof(Nodes));
        }

        foreach (var node in Nodes)
        {
            if (node is null)
            {
                throw new ArgumentException("A node URL is null.", nameof(Nodes));
            }

            SailsSocketOptions.CheckUrl(node, nameof(Nodes));
        }

        if (SocketCount is <= 0 or > MaxSocketCount)
        {
            throw new ArgumentOutOfRangeException(nameof(SocketCount), SocketCount, $"A fleet holds 1 to {MaxSocketCount} sockets.");
        }

        if (!(ConnectRate >= 0.01 && ConnectRate <= 1_000_000))
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectRate), ConnectRate, "The connect rate must be from 0.01 to 1,000,000 attempts per second.");
        }

        if (ConnectBurst is < 1 or > MaxSocketCount)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectBurst), ConnectBurst, $"The connect burst must be from 1 to {MaxSocketCount}.");
        }
        if (ConnectJitter is < 0 or > 1 || double.IsNaN(ConnectJitter))
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectJitter), ConnectJitter, "The jitter must be between 0 and 1.");
        }

        ArgumentNullException.ThrowIfNull(ClientOptions, nameof(ClientOptions));
        ClientOptions.Validate();
    }
}
