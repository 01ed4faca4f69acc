using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>
/// Reports the named sockets of one client (or of all): Healthy when every one is connected and subscribed, Degraded
/// while one is connecting, reconnecting or subscribing, the registration's failure status when one is disconnected or
/// failed. The data holds each socket's state by name.
/// </summary>
internal sealed class SailsSocketHealthCheck(SailsClientProvider provider, string? clientName) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var keepers = provider.Keepers().ToDictionary(k => (k.ClientName, k.SocketName));
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var worst = HealthStatus.Healthy;
        var clients = clientName is null ? provider.ClientNames : [clientName];
        foreach (var client in clients)
        {
            foreach (var socketName in provider.GetSocketNames(client))
            {
                var key = client.Length == 0 ? socketName : $"{client}/{socketName}";
                var (status, state) = keepers.TryGetValue((client, socketName), out var keeper) ? Assess(keeper, context.Registration.FailureStatus) : (context.Registration.FailureStatus, "not started");
                data[key] = state;
                worst = status < worst ? status : worst;
            }
        }

        var description = worst switch
        {
            HealthStatus.Healthy => $"{data.Count} Sails socket(s) connected.",
            HealthStatus.Degraded => "A Sails socket is connecting or reconnecting.",
            _ => "A Sails socket is disconnected or failed.",
        };
        return Task.FromResult(new HealthCheckResult(worst, description, data: data));
    }

    private static (HealthStatus Status, string State) Assess(SailsSocketKeeper keeper, HealthStatus failureStatus)
    {
        if (keeper.Failure is { } failure)
        {
            return (failureStatus, "failed: " + failure);
        }

        return keeper.Socket.State switch
        {
            SailsSocketState.Connected when keeper.Ready.IsCompletedSuccessfully => (HealthStatus.Healthy, "connected"),
            SailsSocketState.Connected => (HealthStatus.Degraded, "subscribing"),
            SailsSocketState.Connecting => (HealthStatus.Degraded, "connecting"),
            SailsSocketState.Reconnecting => (HealthStatus.Degraded, "reconnecting"),
            SailsSocketState.Closed => (failureStatus, "closed"),
            _ => (failureStatus, "disconnected"),
        };
    }
}
