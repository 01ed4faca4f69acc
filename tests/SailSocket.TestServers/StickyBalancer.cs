using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.TestServers;

/// <summary>
/// A sticky HTTP load balancer in miniature, on 127.0.0.1, for long-polling in front of a <see cref="SailsCluster"/>
/// (HTTP requests only: no WebSocket upgrade). A request with a valid <c>lb</c> cookie goes to the node it names. A
/// request without one goes to the next node in turn, and the answer sets the cookie. A request whose node refuses the
/// connection (a dead node) is sent to another node, and the answer sets the new cookie (what AWS ALB does with
/// <c>AWSALB</c>). Without the cookie, the polls of one Engine.IO session would go round the nodes, and every node but
/// the first would answer 400 ("Session ID unknown").
/// </summary>
/// <remarks>Counts what it saw, for the tests. Every forwarded request is bounded (30 s). Not for anything but tests.</remarks>
public sealed class StickyBalancer : IAsyncDisposable
{
    /// <summary>The balancer's cookie name.</summary>
    public const string CookieName = "lb";

    private static readonly HashSet<string> s_hopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Content-Type", "Expect", "Upgrade", "Proxy-Connection", "TE", "Trailer",
    };

    private readonly IReadOnlyList<Uri> _nodes;
    private readonly HttpListener _listener = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly bool[] _dead;
    private readonly Task _accepting;
    private int _next = -1;
    private int _unpinned;
    private int _rerouted;
    private int _pinned;
    private int _stale;

    private StickyBalancer(IReadOnlyList<Uri> nodes, int port)
    {
        _nodes = nodes;
        _dead = new bool[nodes.Count];
        Url = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The balancer's URL.</summary>
    public Uri Url { get; }

    /// <summary>Requests that came without a valid <c>lb</c> cookie (and got one).</summary>
    public int Unpinned => Volatile.Read(ref _unpinned);

    /// <summary>Requests that came with a valid cookie and went to the node it names.</summary>
    public int Pinned => Volatile.Read(ref _pinned);

    /// <summary>Requests whose cookie named a node found dead (a stale cookie), sent to a live node and given its cookie.</summary>
    public int Stale => Volatile.Read(ref _stale);

    /// <summary>Requests whose node refused the connection, sent to another node (and given its cookie).</summary>
    public int Rerouted => Volatile.Read(ref _rerouted);

    /// <summary>Starts a balancer in front of <paramref name="nodes"/> on a free port.</summary>
    /// <param name="nodes">The nodes' base URLs; the cookie names a node by its index.</param>
    /// <returns>The running balancer; dispose it to stop it.</returns>
    public static StickyBalancer Start(IReadOnlyList<Uri> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        for (var attempt = 1; ; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                return new StickyBalancer(nodes, port);
            }
            catch (HttpListenerException) when (attempt < 3)
            {
                // The port was taken between the probe and the listener: another one.
            }
        }
    }

    /// <summary>Stops listening and waits (bounded) for the accept loop to end.</summary>
    /// <returns>A task that completes when the balancer is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        _listener.Close();
        try
        {
            await _accepting.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or TimeoutException)
        {
        }

        _http.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            byte[]? body = null;
            if (request.HasEntityBody)
            {
                using var buffer = new System.IO.MemoryStream();
                await request.InputStream.CopyToAsync(buffer);
                body = buffer.ToArray();
            }

            var node = PinnedNode(request.Headers["Cookie"], out var stale);
            var setCookie = node < 0;
            if (node < 0)
            {
                Interlocked.Increment(ref stale ? ref _stale : ref _unpinned);
                node = NextLiveNode();
            }
            else
            {
                Interlocked.Increment(ref _pinned);
            }

            for (var tries = 0; tries < _nodes.Count; tries++)
            {
                using var forward = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(_nodes[node], request.RawUrl));
                if (body is not null)
                {
                    forward.Content = new ByteArrayContent(body);
                    if (request.ContentType is { } contentType)
                    {
                        forward.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                    }
                }

                foreach (var name in request.Headers.AllKeys)
                {
                    if (name is not null && !s_hopByHop.Contains(name))
                    {
                        forward.Headers.TryAddWithoutValidation(name, request.Headers.GetValues(name) ?? []);
                    }
                }

                HttpResponseMessage answer;
                try
                {
                    answer = await _http.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead);
                }
                catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError)
                {
                    // The node is gone: another one takes the request, and the client gets its cookie.
                    Volatile.Write(ref _dead[node], true);
                    Interlocked.Increment(ref _rerouted);
                    node = NextLiveNode();
                    setCookie = true;
                    continue;
                }

                using (answer)
                {
                    response.StatusCode = (int)answer.StatusCode;
                    foreach (var (name, values) in answer.Headers)
                    {
                        if (!s_hopByHop.Contains(name))
                        {
                            foreach (var value in values)
                            {
                                response.AppendHeader(name, value);
                            }
                        }
                    }

                    if (answer.Content.Headers.ContentType is { } type)
                    {
                        response.ContentType = type.ToString();
                    }

                    if (setCookie)
                    {
                        response.AppendHeader("Set-Cookie", $"{CookieName}={node.ToString(CultureInfo.InvariantCulture)}; Path=/; HttpOnly");
                    }

                    var bytes = await answer.Content.ReadAsByteArrayAsync();
                    response.ContentLength64 = bytes.Length;
                    await response.OutputStream.WriteAsync(bytes);
                    response.Close();
                    return;
                }
            }

            response.StatusCode = 503;
            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or HttpRequestException or ObjectDisposedException or InvalidOperationException or TaskCanceledException or System.IO.IOException)
        {
            // The client or the node went away mid-request (or the balancer is stopping): nothing to answer.
            response.Abort();
        }
    }

    /// <summary>The node the request's <c>lb</c> cookie names, if it is a node that was not found dead (else -1, and <paramref name="stale"/> says whether it named a dead one).</summary>
    private int PinnedNode(string? cookieHeader, out bool stale)
    {
        stale = false;
        if (cookieHeader is null)
        {
            return -1;
        }

        foreach (var pair in cookieHeader.Split(';'))
        {
            var parts = pair.Trim().Split('=', 2);
            if (parts.Length == 2 && parts[0] == CookieName
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var node)
                && node < _nodes.Count)
            {
                stale = Volatile.Read(ref _dead[node]);
                return stale ? -1 : node;
            }
        }

        return -1;
    }

    private int NextLiveNode()
    {
        for (var i = 0; i < _nodes.Count; i++)
        {
            var node = (int)((uint)Interlocked.Increment(ref _next) % (uint)_nodes.Count);
            if (!Volatile.Read(ref _dead[node]))
            {
                return node;
            }
        }

        return 0;
    }
}
