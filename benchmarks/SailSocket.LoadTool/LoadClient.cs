using System.Net.Security;
using SailSocket.Engine;

namespace SailSocket.LoadTool;

/// <summary>
/// What every client under test offers the measurement logic: connect one socket, and send <c>GET /echo?i=k</c>
/// over it and wait for the answer. The same phases (<see cref="Phases"/>) drive all three implementations.
/// </summary>
internal interface ILoadClientFactory : IAsyncDisposable
{
    /// <summary>The client's name in the report.</summary>
    string Name { get; }

    /// <summary>Connects one socket (handshake included), bounded by <paramref name="cancellationToken"/>.</summary>
    Task<ILoadSocket> ConnectAsync(CancellationToken cancellationToken);
}

/// <summary>The client factories by kind.</summary>
internal static class LoadClients
{
    /// <remarks>With <c>--tls</c>, every factory trusts exactly <see cref="LoadOptions.Certificate"/> (its pin).</remarks>
    public static ILoadClientFactory Create(ClientKind kind, Uri url, LoadOptions options)
    {
        RemoteCertificateValidationCallback? pin = options.Certificate is { } certificate ? certificate.Validate : null;
        return kind switch
        {
            ClientKind.SailSocket => new SailSocketLoadClient(url, options.Transport, options.Timeout, pin),
            ClientKind.SailSocketManaged => new SailSocketLoadClient(url, options.Transport, options.Timeout, pin, EngineWebSocketEngine.Managed),
            ClientKind.SailSocketThread => new SailSocketLoadClient(url, options.Transport, options.Timeout, pin, EngineWebSocketEngine.Managed, receiveThread: true),
            ClientKind.Node => throw new ArgumentException("--client node runs in a child process (NodeLoadRun), not through a factory; it does not combine with --compare."),
            ClientKind.Raw => new RawWebSocketLoadClient(url, pin),
            ClientKind.SailSocketIo => new SocketIoLayerLoadClient(url, options.Transport, options.Timeout, pin),
            _ => pin is null ? new SocketIoClientLoadClient(url, options.Transport, options.Timeout) : throw new ArgumentException("--tls: socketioclient has no certificate pin."),
        };
    }
}

/// <summary>One connected socket.</summary>
internal interface ILoadSocket : IAsyncDisposable
{
    /// <summary>
    /// Sends <c>GET /echo?i=k</c> and waits for its response. Returns false when the response was not a 200;
    /// throws when the socket failed. Several calls may be outstanding at once (the pipelined phase).
    /// </summary>
    ValueTask<bool> EchoAsync(int k);
}

/// <summary>
/// The request URLs, built once: what a caller passes is not the client's allocation, so every client takes its
/// URL string from here and the figures show only what the client itself allocates.
/// </summary>
internal static class EchoUrls
{
    /// <summary>How many distinct URLs there are; request k uses <c>k % Count</c>.</summary>
    public const int Count = 1024;

    private static readonly string[] s_urls = Enumerable.Range(0, Count).Select(i => $"/echo?i={i}").ToArray();

    public static string For(int k) => s_urls[k & (Count - 1)];
}
