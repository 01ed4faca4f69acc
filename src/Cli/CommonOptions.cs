using System;
using System.Collections.Generic;
using System.CommandLine;
using SailSocket.Engine;

namespace SailSocket.Cli;

/// <summary>The options every command takes: how to connect, what to send with it, and --trace.</summary>
internal sealed class CommonOptions
{
    public Option<string> Transport { get; } = new("--transport")
    {
        Description = "websocket (default), polling, or both (polling upgraded to a WebSocket).",
        DefaultValueFactory = _ => "websocket",
    };

    public Option<string> Eio { get; } = new("--eio")
    {
        Description = "Engine.IO revision: 4 (default, Sails 1.x), 3 (Sails 0.12), or auto.",
        DefaultValueFactory = _ => "4",
    };

    public Option<string> Engine { get; } = new("--engine")
    {
        Description = "What carries the WebSocket: managed (default, SailSocket's own) or clientwebsocket (the BCL's).",
        DefaultValueFactory = _ => "managed",
    };

    public Option<bool> ReceiveThread { get; } = new("--receive-thread")
    {
        Description = "Give each managed WebSocket a thread of its own that waits for its data: the lowest CPU per request for a few busy sockets (bench), a thread per socket.",
    };

    public Option<string[]> Headers { get; } = new("--header", "-H")
    {
        Description = "A request header, 'Name: value' (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Cookies { get; } = new("--cookie")
    {
        Description = "A cookie sent on the handshake, name=value (repeatable): a Sails session.",
    };

    public Option<string> Timeout { get; } = new("--timeout")
    {
        Description = "Bound on connecting and on each response: 500ms, 10s, 2m. Default 10s.",
        DefaultValueFactory = _ => "10s",
    };

    public Option<string> SocketPath { get; } = new("--socket-path")
    {
        Description = "The server's sails.config.sockets.path. Default /socket.io/.",
        DefaultValueFactory = _ => "/socket.io/",
    };

    public Option<bool> Insecure { get; } = new("--insecure", "-k")
    {
        Description = "Do not validate the server's TLS certificate (prints a warning).",
    };

    public Option<bool> Trace { get; } = new("--trace")
    {
        Description = "Print every Engine.IO/Socket.IO frame sent and received on standard error, timestamped, secrets redacted.",
    };

    public CommonOptions()
    {
        Transport.AcceptOnlyFromAmong("websocket", "polling", "both");
        Eio.AcceptOnlyFromAmong("3", "4", "auto");
        Engine.AcceptOnlyFromAmong("managed", "clientwebsocket");
    }

    public void AddTo(Command command)
    {
        command.Add(Transport);
        command.Add(Eio);
        command.Add(Engine);
        command.Add(ReceiveThread);
        command.Add(Headers);
        command.Add(Cookies);
        command.Add(Timeout);
        command.Add(SocketPath);
        command.Add(Insecure);
        command.Add(Trace);
    }

    /// <summary>Reads the parsed values; bad ones throw <see cref="UsageException"/>.</summary>
    public ConnectionSettings Read(ParseResult result)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in result.GetValue(Headers) ?? [])
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new UsageException("-H must be 'Name: value'.");
            }

            var name = header[..colon].Trim();
            if (name.Length == 0 || name.AsSpan().ContainsAny(" \t\r\n") || header.AsSpan(colon + 1).ContainsAny("\r\n"))
            {
                throw new UsageException("-H must be 'Name: value' with a name without spaces and a value on one line.");
            }

            headers[name] = header[(colon + 1)..].Trim();
        }

        var cookies = new List<string>();
        foreach (var cookie in result.GetValue(Cookies) ?? [])
        {
            var equals = cookie.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || cookie.AsSpan().ContainsAny(";\r\n"))
            {
                throw new UsageException("--cookie must be name=value, one cookie per option.");
            }

            cookies.Add(cookie.Trim());
        }

        var socketPath = result.GetValue(SocketPath) ?? "/socket.io/";
        if (!socketPath.StartsWith('/'))
        {
            throw new UsageException("--socket-path must start with '/'.");
        }

        var engine = result.GetValue(Engine) == "clientwebsocket" ? EngineWebSocketEngine.ClientWebSocket : EngineWebSocketEngine.Managed;
        var receiveThread = result.GetValue(ReceiveThread);
        if (receiveThread && engine != EngineWebSocketEngine.Managed)
        {
            throw new UsageException("--receive-thread needs --engine managed (the BCL's ClientWebSocket reads on the thread pool).");
        }

        return new ConnectionSettings
        {
            Transports = result.GetValue(Transport) switch
            {
                "polling" => EngineTransports.Polling,
                "both" => EngineTransports.PollingThenUpgrade,
                _ => EngineTransports.WebSocket,
            },
            Revision = result.GetValue(Eio) switch
            {
                "3" => EngineRevisionSelection.V3,
                "auto" => EngineRevisionSelection.Auto,
                _ => EngineRevisionSelection.V4,
            },
            WebSocketEngine = engine,
            ReceiveThread = receiveThread,
            Headers = headers,
            CookieHeader = cookies.Count == 0 ? null : string.Join("; ", cookies),
            Timeout = DurationParser.Parse(result.GetValue(Timeout) ?? "10s", "--timeout"),
            SocketPath = socketPath,
            Insecure = result.GetValue(Insecure),
            Trace = result.GetValue(Trace),
        };
    }
}
