using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>
/// Keeps one named socket connected and subscribed: connects, subscribes each configured path once (the core replays the
/// subscriptions after every reconnect), and retries while the socket's reconnection goes on.
/// </summary>
/// <remarks>
/// A subscription answered with an error status is not retried (the server said no): the socket reports it as failed.
/// A socket whose connection failed for good (reconnection off, or its attempts used up) stays failed.
/// </remarks>
internal sealed class SailsSocketKeeper : IAsyncDisposable
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(1);

    private readonly string[] _subscriptions;
    private readonly List<SailsSubscription> _active = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private Task _loop = Task.CompletedTask;
    private volatile string? _failure;

    public SailsSocketKeeper(string clientName, string socketName, SailsSocket socket, IReadOnlyList<string> subscriptions, ILogger logger, TimeProvider timeProvider)
    {
        ClientName = clientName;
        SocketName = socketName;
        Socket = socket;
        _subscriptions = [.. subscriptions];
        _logger = logger;
        _timeProvider = timeProvider;
    }

    public string ClientName { get; }

    public string SocketName { get; }

    /// <summary>The socket's name in logs and health data: <c>socket</c>, or <c>client/socket</c> for a named client.</summary>
    public string DisplayName => ClientName.Length == 0 ? SocketName : $"{ClientName}/{SocketName}";

    public SailsSocket Socket { get; }

    /// <summary>Completes when the socket is connected and every subscription was answered; faults when connecting failed for good.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Why the socket failed for good (a refused subscription, a connection given up), or <see langword="null"/>.</summary>
    public string? Failure => _failure;

    public void Start()
    {
        // A provider disposed between creating the keeper and starting it: nothing to start.
        if (!_stopping.IsCancellationRequested)
        {
            _loop = Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        var next = 0;
        try
        {
            while (true)
            {
                try
                {
                    await Socket.ConnectAsync(token).ConfigureAwait(false);
                    for (; next < _subscriptions.Length; next++)
                    {
                        var path = _subscriptions[next];
                        var shown = WithoutQuery(path);
                        try
                        {
                            var subscription = await Socket.SubscribeAsync(new SailsRequest("get", path), token).ConfigureAwait(false);
                            lock (_active)
                            {
                                _active.Add(subscription);
                            }

                            HostingLog.Subscribed(_logger, DisplayName, shown);
                        }
                        catch (SailsRequestException exception)
                        {
                            _failure = $"subscription {shown} refused with status {exception.StatusCode}";
                            HostingLog.SubscriptionRefused(_logger, DisplayName, shown, exception.StatusCode);
                        }
                    }

                    _ready.TrySetResult();
                    return;
                }
                catch (SailsTimeoutException exception) when (!token.IsCancellationRequested)
                {
                    HostingLog.StillConnecting(_logger, DisplayName, exception.GetType().FullName);
                }
                catch (SailsConnectionException exception) when (!token.IsCancellationRequested)
                {
                    if (Socket.State is SailsSocketState.Disconnected or SailsSocketState.Closed)
                    {
                        _failure = $"connection failed ({exception.GetType().FullName})";
                        HostingLog.GaveUp(_logger, DisplayName, exception.GetType().FullName);
                        _ready.TrySetException(new InvalidOperationException($"The Sails socket '{SocketName}' could not connect: {_failure}."));
                        return;
                    }

                    // The connection was lost during a subscription: the socket is reconnecting; try again once it is back.
                    HostingLog.StillConnecting(_logger, DisplayName, exception.GetType().FullName);
                }
                catch (Exception exception) when (!token.IsCancellationRequested && exception is not ObjectDisposedException)
                {
                    // Anything else (a protocol error, a full queue): the socket copes and reconnects; try again after a pause.
                    HostingLog.StillConnecting(_logger, DisplayName, exception.GetType().FullName);
                }

                await Task.Delay(s_retryDelay, _timeProvider, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            _ready.TrySetCanceled(token);
        }
        catch (ObjectDisposedException)
        {
            _ready.TrySetCanceled(token);
        }
    }

    /// <summary>The path without its query: a query value is never logged (the library's redaction rule).</summary>
    private static string WithoutQuery(string path) => path.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? path[..q] : path;

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
        {
        }

        lock (_active)
        {
            foreach (var subscription in _active)
            {
                subscription.Dispose();
            }

            _active.Clear();
        }

        await Socket.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
