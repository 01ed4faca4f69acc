using System;

namespace SailSocket.Engine;

/// <summary>Opening an Engine.IO connection took longer than <see cref="EngineOptions.ConnectTimeout"/>.</summary>
public sealed class EngineTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A description for people.</param>
    public EngineTimeoutException(string message)
        : base(message)
    {
    }
}
