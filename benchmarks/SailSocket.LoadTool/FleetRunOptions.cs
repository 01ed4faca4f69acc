using System.Globalization;

namespace SailSocket.LoadTool;

/// <summary>The command line of <c>fleet</c> mode (see <see cref="Usage"/>).</summary>
internal sealed class FleetRunOptions
{
    public const string Usage = """
        SailSocket load tool, fleet mode: a SailsFleet over a lifted cluster (Redis and N nodes of tests/sails-app
        sharing the Socket.IO Redis adapter), from this one process (docs/benchmarks.md, "Fleets").

          fleet [options]
          --sockets K                sockets in the fleet, round robin over the nodes (default 15000); refused with
                                     exit code 2 when K sockets would pass this process's open-file limit
          --nodes N                  Sails nodes (default 3)
          --connect-rate R           the fleet's connect rate, attempts per second, reconnects included (default 500)
          --rate Q                   steady request rate over the whole fleet, GET /echo per request (default 1000)
          --seconds T                length of the steady phase before the kill (default 20)
          --kill                     then SIGKILL node 0 while the steady rate goes on, and measure the recovery
                                     (default on; --no-kill skips it)
          --recovery-timeout S       bound on the wait for every socket to be connected again (default 180)
          --timeout S                request and connect timeout (default 60)

        Prints one JSON line (snake_case) on stdout and a readable summary on stderr. Exit code 0 when every socket
        connected and came back and no request was lost (every one completed or failed with a documented exception),
        1 otherwise, 2 on a bad command line or a size above the open-file limit.
        """;

    public int Sockets { get; private set; } = 15_000;

    public int Nodes { get; private set; } = 3;

    public double ConnectRate { get; private set; } = 500;

    public double Rate { get; private set; } = 1000;

    public double Seconds { get; private set; } = 20;

    public bool Kill { get; private set; } = true;

    public TimeSpan RecoveryTimeout { get; private set; } = TimeSpan.FromSeconds(180);

    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(60);

    /// <summary>Parses the command line.</summary>
    /// <exception cref="ArgumentException">Anything wrong with it; the message says what (<see cref="Usage"/> for --help).</exception>
    public static FleetRunOptions Parse(string[] args)
    {
        var options = new FleetRunOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--sockets":
                    options.Sockets = (int)Number(name, Value(), 1, Fleet.SailsFleetOptions.MaxSocketCount);
                    break;
                case "--nodes":
                    options.Nodes = (int)Number(name, Value(), 1, 16);
                    break;
                case "--connect-rate":
                    options.ConnectRate = Number(name, Value(), 1, 100_000);
                    break;
                case "--rate":
                    options.Rate = Number(name, Value(), 1, 1_000_000);
                    break;
                case "--seconds":
                    options.Seconds = Number(name, Value(), 1, 3600);
                    break;
                case "--kill":
                    options.Kill = true;
                    break;
                case "--no-kill":
                    options.Kill = false;
                    break;
                case "--recovery-timeout":
                    options.RecoveryTimeout = TimeSpan.FromSeconds(Number(name, Value(), 1, 3600));
                    break;
                case "--timeout":
                    options.Timeout = TimeSpan.FromSeconds(Number(name, Value(), 1, 600));
                    break;
                case "-h" or "--help":
                    throw new ArgumentException(Usage);
                default:
                    throw new ArgumentException($"Unknown argument '{name}' for fleet mode.");
            }
        }

        if (options.Kill && options.Nodes < 2)
        {
            throw new ArgumentException("--kill needs at least two nodes (the sockets of the killed one move to the others); add --no-kill or --nodes 2.");
        }

        return options;
    }

    private static double Number(string name, string text, double min, double max)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"{name} must be a number from {min} to {max}, not '{text}'.");
        }

        return value;
    }
}
