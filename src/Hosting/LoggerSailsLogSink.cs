using System;
using Microsoft.Extensions.Logging;

namespace SailSocket.Extensions.Hosting;

/// <summary>
/// Forwards the log events of a <see cref="SailsClient"/> (<see cref="SailsClientOptions.LogSink"/>) to an
/// <see cref="ILogger"/>, with the entry's level, event id and name. The text is already redacted by the core.
/// </summary>
public sealed class LoggerSailsLogSink : SailsLogSink
{
    /// <summary>The logger category the hosting package uses for socket events.</summary>
    public const string CategoryName = "SailSocket.SailsSocket";

    private readonly ILogger _logger;

    /// <summary>Creates a sink writing to <paramref name="logger"/>.</summary>
    /// <param name="logger">The logger.</param>
    public LoggerSailsLogSink(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    /// <inheritdoc/>
    public override bool IsEnabled(SailsLogLevel level) => _logger.IsEnabled((LogLevel)level);

    /// <inheritdoc/>
    public override void Log(in SailsLogEntry entry) =>
        _logger.Log((LogLevel)entry.Level, new EventId(entry.EventId, entry.EventName), entry.Message, entry.Exception, static (message, _) => message);
}
