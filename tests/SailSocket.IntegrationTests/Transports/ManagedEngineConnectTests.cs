using System.Globalization;
using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>
/// Many sockets of the managed engine to one real Sails server: each connects and answers, and on Linux 6.8 and later
/// their source ports come from the whole ephemeral range (both parities), as <c>IP_LOCAL_PORT_RANGE</c> asks, instead
/// of the even half first (docs/fleets.md, "Thousands of sockets to one server").
/// </summary>
public sealed class ManagedEngineConnectTests : SailsServerTestBase
{
    private const int Sockets = 100;

    protected override SailsClientOptions CreateOptions(Uri url) => new()
    {
        Url = url,
        RequestTimeout = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        WebSocketEngine = EngineWebSocketEngine.Managed,
        Transports = EngineTransports.WebSocket,
    };

    [Fact]
    public async Task A_hundred_sockets_connect_answer_and_take_source_ports_of_both_parities()
    {
        var sockets = new List<SailsSocket>();
        try
        {
            for (var i = 0; i < Sockets; i++)
            {
                sockets.Add(await ConnectAsync());
            }

            var replies = await Task.WhenAll(sockets.Select(s => s.GetAsync("/echo", Bound.Seconds(20)).AsTask()));
            Assert.Equal(sockets.Select(s => s.Id), replies.Select(r => r.ReadBody(TestJson.Default.EchoReply)!.SocketId));

            if (OperatingSystem.IsLinux() && Environment.OSVersion.Version >= new Version(6, 8))
            {
                // Connections to the server's port from this machine: ours, and any other test's (ClientWebSocket's take
                // even ports, so they cannot supply the odd ones). Without the option all of ours would be even too.
                var ports = ClientPortsTo(Server.Port);
                Assert.True(ports.Count >= Sockets, $"{ports.Count} connections to port {Server.Port} seen in /proc/net/tcp*");
                var odd = ports.Count(p => p % 2 == 1);
                Assert.True(odd >= 10, $"{odd} of {ports.Count} connections to the server have an odd source port");
            }
        }
        finally
        {
            await Task.WhenAll(sockets.Select(s => s.DisposeAsync().AsTask())).Within(30);
        }
    }

    /// <summary>The local ports of established TCP connections whose remote port is <paramref name="port"/> (IPv4 and IPv6 tables).</summary>
    private static List<int> ClientPortsTo(int port)
    {
        var ports = new List<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st …: addresses are HEX_IP:HEX_PORT, state 01 is ESTABLISHED.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[3] == "01" && Port(fields[2]) == port)
                {
                    ports.Add(Port(fields[1]));
                }
            }
        }

        return ports;

        static int Port(string address) => int.Parse(address.AsSpan(address.LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
