namespace SailSocket.Cli;

/// <summary>The process exit codes (README.md and <c>--help</c> list them; keep the three in step).</summary>
internal static class ExitCodes
{
    /// <summary>Success: a 1xx–3xx response, or listen/bench ended normally (Ctrl+C, --count, --duration).</summary>
    public const int Success = 0;

    /// <summary>Any other failure: a protocol error, an unexpected exception.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments: usage is printed on standard error.</summary>
    public const int Usage = 2;

    /// <summary>The server answered with a 4xx status.</summary>
    public const int ClientError = 3;

    /// <summary>The server answered with a 5xx status (or a status outside 100–599).</summary>
    public const int ServerError = 4;

    /// <summary>The connection failed: refused, unreachable, handshake refused, dropped.</summary>
    public const int ConnectionFailed = 5;

    /// <summary>Connecting or the response took longer than <c>--timeout</c>.</summary>
    public const int Timeout = 6;

    /// <summary>A request was interrupted by Ctrl+C.</summary>
    public const int Interrupted = 130;

    /// <summary>The exit code for a response status.</summary>
    public static int ForStatus(int status) => status switch
    {
        >= 100 and < 400 => Success,
        >= 400 and < 500 => ClientError,
        _ => ServerError,
    };

    /// <summary>The text shown by <c>--help</c>.</summary>
    public const string Help =
        "Exit codes: 0 success (1xx-3xx, or listen/bench ended), 1 other failure, 2 bad arguments, 3 HTTP 4xx, "
        + "4 HTTP 5xx, 5 connection failed, 6 timeout, 130 interrupted.";
}
