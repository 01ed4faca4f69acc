namespace SailSocket;

/// <summary>
/// The level of a <see cref="SailsLogEntry"/>. The values are those of <c>Microsoft.Extensions.Logging.LogLevel</c>, so
/// an adapter casts one to the other.
/// </summary>
public enum SailsLogLevel
{
    /// <summary>Step-by-step detail (not used yet).</summary>
    Trace = 0,

    /// <summary>Detail for debugging (not used yet).</summary>
    Debug = 1,

    /// <summary>The normal life of a socket: connected, reconnecting, a deliberate disconnect.</summary>
    Information = 2,

    /// <summary>Something went wrong and the socket copes: a failed attempt, a lost connection, a dropped event.</summary>
    Warning = 3,

    /// <summary>Something failed for good or in user code: gave up reconnecting, a handler threw, a protocol error.</summary>
    Error = 4,

    /// <summary>The process cannot go on (not used).</summary>
    Critical = 5,
}
