using Microsoft.Extensions.Logging;

namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>The hosting package's own log events (category <c>SailSocket.Extensions.Hosting</c>), ids 1001 and up.</summary>
internal static partial class HostingLog
{
    public const string CategoryName = "SailSocket.Extensions.Hosting";

    [LoggerMessage(1001, LogLevel.Information, "Sails socket {Socket} subscribed to {Path}.")]
    public static partial void Subscribed(ILogger logger, string socket, string path);

    [LoggerMessage(1002, LogLevel.Error, "Sails socket {Socket}: the subscription to {Path} was refused with status {StatusCode}; it is not retried.")]
    public static partial void SubscriptionRefused(ILogger logger, string socket, string path, int statusCode);

    [LoggerMessage(1003, LogLevel.Warning, "Sails socket {Socket} is not connected yet ({ErrorType}); still trying.")]
    public static partial void StillConnecting(ILogger logger, string socket, string? errorType);

    [LoggerMessage(1004, LogLevel.Error, "Sails socket {Socket} could not connect and will not retry ({ErrorType}).")]
    public static partial void GaveUp(ILogger logger, string socket, string? errorType);

    [LoggerMessage(1005, LogLevel.Information, "Sails sockets stopped: {Count} closed.")]
    public static partial void Stopped(ILogger logger, int count);
}
