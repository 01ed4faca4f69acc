using System;
using System.Collections.Generic;
using System.Linq;
using SailSocket.Engine;
using SailSocket.Internal;
using SailSocket.SocketIo;

namespace SailSocket;

/// <content>Server events (<c>io.socket.on</c> / <c>off</c>) and lifecycle events.</content>
public sealed partial class SailsSocket
{
    private static readonly IReadOnlyList<ReadOnlyMemory<byte>> s_noAttachments = [];

    /// <summary>The dispatcher's stand-in for "the connection ended" (an event with no name cannot come from the server).</summary>
    private static readonly SailsEvent s_disconnectMarker = new(string.Empty, ReadOnlyMemory<byte>.Empty, s_noAttachments);

    private readonly object _handlersGate = new();
    private readonly Dictionary<string, Action<SailsEvent>[]> _handlers = new(StringComparer.Ordinal);
    private readonly SerialDispatcher<SailsEvent> _dispatcher;
    private SocketIoDisconnectedException? _disconnectedBy;

    /// <summary>Raised once when the socket stops being connected, after pending requests have failed; on the thread pool.</summary>
    public event EventHandler<SailsDisconnectedEventArgs>? Disconnected;

    /// <summary>Raised when an event handler throws; the socket and the other handlers carry on.</summary>
    public event EventHandler<SailsHandlerExceptionEventArgs>? HandlerException;

    /// <summary>Calls <paramref name="handler"/> for every server event named <paramref name="eventName"/> (<c>io.socket.on</c>).</summary>
    /// <param name="eventName">The event name: a room event, <c>message</c>, or a model identity such as <c>user</c>.</param>
    /// <param name="handler">The handler; runs on the thread pool, one event at a time, in arrival order.</param>
    /// <returns>A registration; dispose it to remove this handler.</returns>
    /// <exception cref="ArgumentException"><paramref name="eventName"/> is empty.</exception>
    public IDisposable On(string eventName, Action<SailsEvent> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            _handlers[eventName] = _handlers.TryGetValue(eventName, out var existing) ? [.. existing, handler] : [handler];
        }

        return new Registration(this, eventName, handler);
    }

    /// <summary>Removes one registration of <paramref name="handler"/> for <paramref name="eventName"/>.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="handler">The handler given to <see cref="On"/>.</param>
    /// <returns>Whether a registration was removed.</returns>
    public bool Off(string eventName, Action<SailsEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            if (!_handlers.TryGetValue(eventName, out var existing))
            {
                return false;
            }

            var index = Array.IndexOf(existing, handler);
            if (index < 0)
            {
                return false;
            }

            if (existing.Length == 1)
            {
                _handlers.Remove(eventName);
            }
            else
            {
                _handlers[eventName] = [.. existing.Where((_, i) => i != index)];
            }

            return true;
        }
    }

    /// <summary>Removes every handler for <paramref name="eventName"/> (<c>io.socket.off(eventName)</c>).</summary>
    /// <param name="eventName">The event name.</param>
    /// <returns>Whether any handler was removed.</returns>
    public bool Off(string eventName)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        lock (_handlersGate)
        {
            return _handlers.Remove(eventName);
        }
    }

    private Action<SailsEvent>[]? HandlersFor(string eventName)
    {
        lock (_handlersGate)
        {
            return _handlers.GetValueOrDefault(eventName);
        }
    }

    /// <summary>On the receive loop: copy what the handlers need and hand it to the dispatcher.</summary>
    private void OnSocketIoEvent(in SocketIoEvent socketEvent)
    {
        if (HandlersFor(socketEvent.Name) is null)
        {
            return;
        }

        var attachments = s_noAttachments;
        if (socketEvent.Attachments.Count > 0)
        {
            var copies = new ReadOnlyMemory<byte>[socketEvent.Attachments.Count];
            for (var i = 0; i < copies.Length; i++)
            {
                copies[i] = socketEvent.Attachments[i].ToArray();
            }

            attachments = copies;
        }

        _dispatcher.Post(new SailsEvent(socketEvent.Name, socketEvent.GetArgument(0).ToArray(), attachments));
    }

    private void DispatchEvent(SailsEvent socketEvent)
    {
        if (socketEvent.Name.Length == 0)
        {
            RaiseDisconnected(socketEvent);
            return;
        }

        var handlers = HandlersFor(socketEvent.Name);
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers)
        {
            try
            {
                handler(socketEvent);
            }
#pragma warning disable CA1031 // A user handler's exception is reported, never allowed to stop the dispatch of later events.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RaiseHandlerException(socketEvent, ex);
            }
        }
    }

    private void RaiseHandlerException(SailsEvent socketEvent, Exception exception)
    {
        try
        {
            HandlerException?.Invoke(this, new SailsHandlerExceptionEventArgs(socketEvent, exception));
        }
#pragma warning disable CA1031 // Nowhere left to report a failing error handler; the dispatcher must keep running.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>On the receive loop, once: queue the notification behind the events already received.</summary>
    private void OnSocketIoDisconnected(SocketIoDisconnectedException exception)
    {
        _disconnectedBy = exception;
        _dispatcher.Post(s_disconnectMarker);
    }

    private void RaiseDisconnected(SailsEvent marker)
    {
        _ = marker;
        var exception = _disconnectedBy!;
        var reason = exception.Reason switch
        {
            SocketIoDisconnectReason.ClientDisconnect => SailsDisconnectReason.ClientDisconnect,
            SocketIoDisconnectReason.ServerDisconnect => SailsDisconnectReason.ServerDisconnect,
            SocketIoDisconnectReason.ProtocolError => SailsDisconnectReason.ProtocolError,
            _ when exception.InnerException is EngineConnectionException { Error: EngineConnectionError.PingTimeout } => SailsDisconnectReason.PingTimeout,
            _ when exception.InnerException is EngineConnectionException { Error: EngineConnectionError.ProtocolError or EngineConnectionError.MessageTooLarge } => SailsDisconnectReason.ProtocolError,
            _ => SailsDisconnectReason.TransportClose,
        };

        try
        {
            Disconnected?.Invoke(this, new SailsDisconnectedEventArgs(reason, exception));
        }
#pragma warning disable CA1031 // A user handler's exception must not escape onto the thread pool.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private sealed class Registration(SailsSocket socket, string eventName, Action<SailsEvent> handler) : IDisposable
    {
        private SailsSocket? _socket = socket;

        public void Dispose() => System.Threading.Interlocked.Exchange(ref _socket, null)?.Off(eventName, handler);
    }
}
