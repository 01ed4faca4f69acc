using System;
using System.Collections.Generic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SailSocket.Extensions.Hosting.Internal;

namespace SailSocket.Extensions.Hosting;

/// <summary>Adds the Sails socket health check to <see cref="IHealthChecksBuilder"/>.</summary>
public static class SailsHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the named sockets: <see cref="HealthStatus.Healthy"/> when every socket is connected and subscribed,
    /// <see cref="HealthStatus.Degraded"/> while one is connecting, reconnecting or subscribing, and
    /// <paramref name="failureStatus"/> when one is disconnected, gave up, or had a subscription refused. The result's
    /// data holds each socket's state by name (<c>socket</c>, or <c>client/socket</c> for a named client).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default <c>sails</c>.</param>
    /// <param name="clientName">The client whose sockets are checked; <see langword="null"/> (the default) for every client.</param>
    /// <param name="failureStatus">The status of a failed socket; <see langword="null"/> (the default) for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddSailsSocketHealthCheck(this IHealthChecksBuilder builder, string name = "sails", string? clientName = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new SailsSocketHealthCheck(sp.GetRequiredService<SailsClientProvider>(), clientName),
            failureStatus ?? HealthStatus.Unhealthy,
            tags));
    }
}
