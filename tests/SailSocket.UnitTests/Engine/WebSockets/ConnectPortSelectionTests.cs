using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using SailSocket.Engine.Transports.WebSockets;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets;

/// <summary>
/// <see cref="ConnectPortSelection"/>: on Linux 6.8 and later, sockets that carry <c>IP_LOCAL_PORT_RANGE</c> take source
/// ports of both parities from the system's range, where plain ones take even ports first; elsewhere nothing is set.
/// </summary>
public sealed class ConnectPortSelectionTests
{
    private const int IpProtocolLevel = 0;
    private const int IpLocalPortRange = 51;

    /// <summary>The kernel that made connect() honour the option with a one-port step (6.8), and that has it at all (6.3).</summary>
    private static readonly bool s_stepsOneByOne = OperatingSystem.IsLinux() && Environment.OSVersion.Version >= new Version(6, 8);
    private static readonly bool s_hasOption = OperatingSystem.IsLinux() && Environment.OSVersion.Version >= new Version(6, 3);

    [Fact]
    public void Apply_SetsTheSystemRange_OnLinux_AndNothingElsewhere()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp); // dual mode, as the connector creates it
        var applied = ConnectPortSelection.Apply(socket);
        Assert.Equal(s_hasOption, applied);
        Assert.Equal(s_hasOption, ConnectPortSelection.IsActive);
        if (applied)
        {
            var value = new byte[sizeof(uint)];
            Assert.Equal(sizeof(uint), socket.GetRawSocketOption(IpProtocolLevel, IpLocalPortRange, value));
            Assert.Equal(ConnectPortSelection.SystemRange, BitConverter.ToUInt32(value));
        }
    }

    [Fact]
    public async Task Connections_WithTheOption_TakePortsOfBothParities_WithinTheSystemRange_WherePlainOnesTakeEvenPorts()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(512);
        var target = (IPEndPoint)listener.LocalEndPoint!;

        var withOption = await ConnectAsync(target, 64, apply: true);
        var plain = await ConnectAsync(target, 64, apply: false);
        try
        {
            if (!s_stepsOneByOne)
            {
                // No parity split to undo (or no option): connecting works as before.
                Assert.Equal(64, withOption.Count(s => s.Connected));
                return;
            }

            var (low, high) = SystemRange();
            var ports = withOption.Select(LocalPort).ToArray();
            Assert.All(ports, port => Assert.InRange(port, low, high));
            Assert.Contains(ports, port => port % 2 != low % 2);
            Assert.Contains(ports, port => port % 2 == low % 2);

            // The control: without the option, connect() takes ports of the range's lower bound's parity while any is free.
            Assert.All(plain.Select(LocalPort), port => Assert.Equal(low % 2, port % 2));
        }
        finally
        {
            foreach (var socket in withOption.Concat(plain))
            {
                socket.Dispose();
            }
        }
    }

    private static async Task<List<Socket>> ConnectAsync(IPEndPoint target, int count, bool apply)
    {
        var sockets = new List<Socket>(count);
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            sockets.Add(socket);
            if (apply)
            {
                ConnectPortSelection.Apply(socket);
            }

            await socket.ConnectAsync(target).WaitAsync(TimeSpan.FromSeconds(10));
        }

        return sockets;
    }

    private static int LocalPort(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;

    private static (int Low, int High) SystemRange()
    {
        var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
