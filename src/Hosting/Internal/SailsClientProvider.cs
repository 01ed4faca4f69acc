using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>Creates each named client and socket once, from the validated settings, and disposes them with the host.</summary>
internal sealed class SailsClientProvider : ISailsClientProvider, IAsyncDisposable, IDisposable
{
    private readonly Dictionary<string, SailsClientRegistration> _registrations;
    private readonly IOptionsMonitor<SailsClientSettings> _settings;
    private readonly IOptionsMonitor<SailsSocketCallbacks> _callbacks;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, SailsClient> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Client, string Socket), SailsSocketKeeper> _keepers = [];
    private readonly object _gate = new();
    private bool _disposed;

    public SailsClientProvider(
        IEnumerable<SailsClientRegistration> registrations,
        IOptionsMonitor<SailsClientSettings> settings,
        IOptionsMonitor<SailsSocketCallbacks> callbacks,
        IServiceProvider services,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null)
    {
        _registrations = registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _settings = settings;
        _callbacks = callbacks;
        _services = services;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger(HostingLog.CategoryName);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public IReadOnlyCollection<string> ClientNames => _registrations.Keys;

    public IReadOnlyCollection<string> GetSocketNames(string? clientName = null) => Settings(clientName ?? Options.DefaultName).Sockets.Keys;

    public SailsClient GetClient(string? clientName = null)
    {
        var name = clientName ?? Options.DefaultName;
        var settings = Settings(name);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_clients.TryGetValue(name, out var client))
            {
                var logSink = new LoggerSailsLogSink(_loggerFactory.CreateLogger(LoggerSailsLogSink.CategoryName));
                client = new SailsClient(SailsSettingsMapper.ToClientOptions(settings, logSink, _timeProvider, Handshake(_callbacks.Get(name).Handshake)));
                _clients.Add(name, client);
            }

            return client;
        }
    }

    public SailsSocket GetSocket(string socketName, string? clientName = null) => GetKeeper(socketName, clientName ?? Options.DefaultName).Socket;

    /// <summary>Every configured socket of every client, created (and connecting) on the first call.</summary>
    internal IReadOnlyList<SailsSocketKeeper> StartAll()
    {
        var keepers = new List<SailsSocketKeeper>();
        foreach (var client in _registrations.Keys)
        {
            foreach (var socket in Settings(client).Sockets.Keys)
            {
                keepers.Add(GetKeeper(socket, client));
            }
        }

        return keepers;
    }

    /// <summary>The sockets created so far, for the health check.</summary>
    internal SailsSocketKeeper[] Keepers()
    {
        lock (_gate)
        {
            return [.. _keepers.Values];
        }
    }

    private SailsSocketKeeper GetKeeper(string socketName, string clientName)
    {
        ArgumentNullException.ThrowIfNull(socketName);
        var settings = Settings(clientName);
        if (!settings.Sockets.TryGetValue(socketName, out var socketSettings))
        {
            throw new InvalidOperationException($"No Sails socket named '{socketName}' is configured for the client '{clientName}' ({_registrations[clientName].ConfigurationPath}:Sockets).");
        }

        var client = GetClient(clientName);
        SailsSocketKeeper keeper;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_keepers.TryGetValue((clientName, socketName), out var existing))
            {
                return existing;
            }

            var socket = client.CreateSocket(SailsSettingsMapper.ToSocketOptions(socketSettings));
            foreach (var configure in _callbacks.Get(clientName).Configure)
            {
                configure(_services, socketName, socket);
            }

            keeper = new SailsSocketKeeper(clientName, socketName, socket, socketSettings.Subscriptions, _logger, _timeProvider);
            _keepers.Add((clientName, socketName), keeper);
        }

        keeper.Start();
        return keeper;
    }

    private Func<SailsHandshake, CancellationToken, ValueTask>? Handshake(List<Func<IServiceProvider, SailsHandshake, CancellationToken, ValueTask>> callbacks)
    {
        if (callbacks.Count == 0)
        {
            return null;
        }

        var services = _services;
        var snapshot = callbacks.ToArray();
        return async (handshake, cancellationToken) =>
        {
            foreach (var callback in snapshot)
            {
                await callback(services, handshake, cancellationToken).ConfigureAwait(false);
            }
        };
    }

    private SailsClientSettings Settings(string clientName)
    {
        if (!_registrations.ContainsKey(clientName))
        {
            throw new InvalidOperationException(clientName.Length == 0
                ? "No default Sails client is registered: call services.AddSailsClient(configuration.GetSection(\"Sails\"))."
                : $"No Sails client named '{clientName}' is registered: call services.AddSailsClient(\"{clientName}\", ...).");
        }

        // Validated at start (ValidateOnStart); reading them here validates them again, once, if the host did not start.
        return _settings.Get(clientName);
    }

    /// <summary>For a container disposed synchronously: blocks until the sockets are closed (each within 4 s).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        SailsSocketKeeper[] keepers;
        SailsClient[] clients;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            keepers = [.. _keepers.Values];
            clients = [.. _clients.Values];
        }

        // Sockets close in parallel: each is bounded by the core (within 4 s whatever the server does).
        await Task.WhenAll(keepers.Select(k => k.DisposeAsync().AsTask())).ConfigureAwait(false);
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        HostingLog.Stopped(_logger, keepers.Length);
    }
}
