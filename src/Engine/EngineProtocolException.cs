using System;

namespace SailSocket.Engine;

/// <summary>The server sent bytes that break the Engine.IO protocol.</summary>
/// <remarks>The connection that received them is closed; other connections are not affected.</remarks>
public sealed class EngineProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="offset">The byte offset in the packet or message where parsing failed.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public EngineProtocolException(string message, int offset, Exception? innerException = null)
        : base($"{message} (at byte offset {offset})", innerException)
    {
        Offset = offset;
    }

    /// <summary>The byte offset in the packet or message where parsing failed.</summary>
    public int Offset { get; }
}
