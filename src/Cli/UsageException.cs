using System;

namespace SailSocket.Cli;

/// <summary>A bad argument found after parsing (bad JSON, a malformed header): exit code 2 with the usage line.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
