using System;
using System.Net.Sockets;
using System.Threading;

namespace SailSocket.TestServers;

/// <summary>One client connection through a <see cref="FaultProxy"/> and its connection to the server.</summary>
/// <remarks>Thread-safe: both forwarding directions and the test may close it at once; closing twice does nothing.</remarks>
internal sealed class FaultProxyLink
{
    private readonly Socket _client;
    private readonly Socket _server;
    private readonly CancellationTokenSource _closed;
    private readonly object _gate = new();

    /// <summary>Per direction (0 client→server, 1 server→client): 1 once its receiver got a FIN from us.</summary>
    private readonly bool[] _halfClosed = new bool[2];
    private bool _isClosed;

    public FaultProxyLink(Socket client, Socket server, CancellationToken stop)
    {
        _client = client;
        _server = server;
        _closed = CancellationTokenSource.CreateLinkedTokenSource(stop);
    }

    /// <summary>Cancelled when the link closes (or the proxy stops): ends any wait of its forwarding tasks.</summary>
    public CancellationToken Closed => _closed.Token;

    public bool IsHalfClosed(int direction)
    {
        lock (_gate)
        {
            return _halfClosed[direction] || _isClosed;
        }
    }

    /// <summary>Sends a FIN to the receiver of <paramref name="direction"/>; when both directions are done, closes the link.</summary>
    public void HalfClose(int direction)
    {
        bool both;
        lock (_gate)
        {
            if (_isClosed || _halfClosed[direction])
            {
                return;
            }

            _halfClosed[direction] = true;
            both = _halfClosed[0] && _halfClosed[1];
        }

        try
        {
            (direction == 0 ? _server : _client).Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        if (both)
        {
            Close(reset: false);
        }
    }

    /// <summary>Closes both sockets: with RST (linger 0) or FIN.</summary>
    public void Close(bool reset)
    {
        lock (_gate)
        {
            if (_isClosed)
            {
                return;
            }

            _isClosed = true;
        }

        foreach (var socket in new[] { _client, _server })
        {
            try
            {
                if (reset)
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                else
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            socket.Dispose();
        }

        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
