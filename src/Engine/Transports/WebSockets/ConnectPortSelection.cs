using System;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>
/// Lets Linux pick a connection's source port from the whole ephemeral range in one pass, so that thousands of sockets to
/// one server keep connecting at full speed (docs/fleets.md, "Thousands of sockets to one server").
/// </summary>
/// <remarks>
/// <para>
/// Without it, Linux's <c>connect()</c> tries the ports of one parity first (the even half of the default 32768–60999)
/// and leaves the others to <c>bind(port 0)</c>. Once one client holds about 14,000 connections to the same address and
/// port, that half is spent and every further <c>connect()</c> walks all of it, under the port table's locks, before
/// trying the other half: connecting slows from thousands a second to hundreds, in kernel time.
/// </para>
/// <para>
/// Setting <c>IP_LOCAL_PORT_RANGE</c> (Linux 6.3) on the socket makes the kernel (6.8 and later) scan every port in
/// turn instead. The value asks for the system's own range (an upper bound of 65535 and a lower bound of 0 leave both
/// of <c>net.ipv4.ip_local_port_range</c> in force), so no port outside it is used and reserved ports stay reserved;
/// what changes is only that these sockets may take ports of either parity, the ones <c>bind(port 0)</c> callers on
/// the same host would look at first. On kernels 6.3–6.7 it is accepted and changes nothing; before 6.3 it is refused,
/// which is remembered, and the socket connects as before. Other systems have no parity split and are left alone.
/// </para>
/// <para>
/// Binding to port 0 before connecting would also avoid the walk, but a bound port is the socket's alone: it cannot
/// serve connections to other servers, it counts against the ~28,000 ports the whole host has for every destination,
/// and it is refused while a closed connection holds it in TIME_WAIT. The socket option keeps ports shared by 4-tuple.
/// </para>
/// </remarks>
internal static class ConnectPortSelection
{
    /// <summary><c>IPPROTO_IP</c> (<c>SOL_IP</c>), the level of the option on IPv4 and IPv6 sockets alike.</summary>
    private const int IpProtocolLevel = 0;

    /// <summary><c>IP_LOCAL_PORT_RANGE</c> (<c>linux/in.h</c>).</summary>
    private const int IpLocalPortRange = 51;

    /// <summary>Upper bound 65535 (high 16 bits), lower bound 0: both out of play, so the range is the system's, but set.</summary>
    internal const uint SystemRange = 0xFFFF_0000;

    /// <summary>Set once the kernel refused the option (before 6.3, or a sandbox that filters it): not asked again.</summary>
    private static volatile bool s_unsupported;

    /// <summary>Whether the option is set on new sockets on this system (false off Linux, or once the kernel refused it).</summary>
    internal static bool IsActive => OperatingSystem.IsLinux() && !s_unsupported;

    /// <summary>Sets the option on <paramref name="socket"/> before it connects, where the system has it.</summary>
    /// <param name="socket">A TCP socket, not yet connected.</param>
    /// <returns>Whether the option was set.</returns>
    public static bool Apply(Socket socket)
    {
        if (!IsActive)
        {
            return false;
        }

        Span<byte> value = stackalloc byte[sizeof(uint)];
        var range = SystemRange;
        MemoryMarshal.Write(value, in range); // host byte order, as the kernel reads a u32
        try
        {
            socket.SetRawSocketOption(IpProtocolLevel, IpLocalPortRange, value);
            return true;
        }
        catch (SocketException)
        {
            s_unsupported = true;
            return false;
        }
    }
}
