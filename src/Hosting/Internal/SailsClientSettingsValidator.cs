using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.Options;

namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>
/// Validates <see cref="SailsClientSettings"/> at the host's start (<c>ValidateOnStart</c>). Each failure names the
/// option by its configuration path (<c>Sails:Url</c>, <c>Sails:Sockets:orders:Url</c>) and never echoes a URL, header or
/// query value.
/// </summary>
internal sealed class SailsClientSettingsValidator(IEnumerable<SailsClientRegistration> registrations) : IValidateOptions<SailsClientSettings>
{
    private readonly SailsClientRegistration[] _registrations = registrations.ToArray();

    public ValidateOptionsResult Validate(string? name, SailsClientSettings options)
    {
        var registration = Array.Find(_registrations, r => r.Name == (name ?? Options.DefaultName));
        if (registration is null)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = Check(registration.ConfigurationPath, options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> Check(string path, SailsClientSettings options)
    {
        var failures = new List<string>();
        var everySocketHasUrl = options.Sockets.Count > 0 && options.Sockets.Values.All(s => s?.Url is not null);
        if (options.Url is not null || !everySocketHasUrl)
        {
            if (!SailsSettingsMapper.TryParseServerUrl(options.Url, out _, out var problem))
            {
                failures.Add($"{path}:Url {problem}" + (options.Url is null ? " (or a Url on every socket)." : "."));
            }
        }

        for (var i = 0; i < options.Urls.Count; i++)
        {
            if (!SailsSettingsMapper.TryParseServerUrl(options.Urls[i], out var node, out var problem))
            {
                failures.Add($"{path}:Urls:{i} {problem}.");
            }
            else if (!string.IsNullOrEmpty(node!.UserInfo))
            {
                failures.Add($"{path}:Urls:{i} must not carry user info (put credentials in Headers).");
            }
        }

        if (string.IsNullOrEmpty(options.Path) || options.Path[0] != '/')
        {
            failures.Add($"{path}:Path must start with '/'.");
        }

        if (!SailsSettingsMapper.TryParseTransports(options.Transports, out _))
        {
            failures.Add($"{path}:Transports: unknown transport '{options.Transports}'; expected WebSocket, Polling or PollingThenUpgrade.");
        }

        if (!SailsSettingsMapper.TryParseWebSocketEngine(options.WebSocketEngine, out _))
        {
            failures.Add($"{path}:WebSocketEngine: unknown engine '{options.WebSocketEngine}'; expected ClientWebSocket or Managed.");
        }

        if (options.FailedNodeRetryDelay < TimeSpan.Zero)
        {
            failures.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{path}:FailedNodeRetryDelay must not be negative, not {options.FailedNodeRetryDelay}."));
        }

        Positive(failures, $"{path}:ConnectTimeout", options.ConnectTimeout, allowInfinite: false);
        Positive(failures, $"{path}:RequestTimeout", options.RequestTimeout, allowInfinite: true);
        foreach (var header in options.Headers)
        {
            if (string.IsNullOrWhiteSpace(header.Key) || header.Value is null)
            {
                failures.Add($"{path}:Headers: a header has an empty name or no value.");
            }
        }

        var reconnection = options.Reconnection;
        if (reconnection is null)
        {
            failures.Add($"{path}:Reconnection must not be null.");
        }
        else
        {
            if (reconnection.Attempts is < 1)
            {
                failures.Add($"{path}:Reconnection:Attempts must be at least 1 (or absent for no limit), not {reconnection.Attempts}.");
            }

            if (reconnection.Delay < TimeSpan.Zero)
            {
                failures.Add($"{path}:Reconnection:Delay must not be negative, not {reconnection.Delay}.");
            }

            if (reconnection.DelayMax < reconnection.Delay || reconnection.DelayMax > SailsReconnectionOptions.MaxDelay)
            {
                failures.Add($"{path}:Reconnection:DelayMax must be at least Reconnection:Delay ({reconnection.Delay}) and at most {SailsReconnectionOptions.MaxDelay}, not {reconnection.DelayMax}.");
            }

            if (double.IsNaN(reconnection.RandomizationFactor) || reconnection.RandomizationFactor is < 0 or > 1)
            {
                failures.Add($"{path}:Reconnection:RandomizationFactor must be between 0 and 1, not {reconnection.RandomizationFactor}.");
            }
        }

        foreach (var (socketName, socket) in options.Sockets)
        {
            var socketPath = $"{path}:Sockets:{socketName}";
            if (socket is null)
            {
                failures.Add($"{socketPath} is empty.");
                continue;
            }

            if (socket.Url is not null && !SailsSettingsMapper.TryParseServerUrl(socket.Url, out _, out var problem))
            {
                failures.Add($"{socketPath}:Url {problem}.");
            }

            if (socket.Query.Keys.Any(string.IsNullOrEmpty))
            {
                failures.Add($"{socketPath}:Query has a parameter with an empty name.");
            }

            for (var i = 0; i < socket.Subscriptions.Count; i++)
            {
                var subscription = socket.Subscriptions[i];
                if (string.IsNullOrEmpty(subscription) || subscription[0] != '/')
                {
                    failures.Add($"{socketPath}:Subscriptions:{i} must be a path starting with '/'.");
                }
            }
        }

        if (failures.Count == 0)
        {
            // The core's own checks (header names and values, bounds), in case they are stricter than the ones above.
            try
            {
                SailsSettingsMapper.ToClientOptions(options, null, TimeProvider.System).Validate();
            }
            catch (ArgumentException exception)
            {
                failures.Add($"{path}:{exception.ParamName}: {exception.Message}");
            }
        }

        return failures;
    }

    private static void Positive(List<string> failures, string option, TimeSpan value, bool allowInfinite)
    {
        if (value <= TimeSpan.Zero && !(allowInfinite && value == Timeout.InfiniteTimeSpan))
        {
            failures.Add($"{option} must be positive, not {value}.");
        }
    }
}
