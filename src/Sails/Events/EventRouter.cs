using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using SailSocket.Diagnostics;
using SailSocket.Internal;
using SailSocket.SocketIo;

namespace SailSocket.Events;

/// <summary>
/// A socket's server-event handlers and its dispatcher: the receive loop hands events over (copied, within the count and
/// byte bounds), and handlers and lifecycle notifications run on the thread pool, one at a time, in arrival order.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The handler registry has its own lock; dispatching reads a copy-on-write array, no lock held while user code runs.</item>
/// <item>The receive loop never waits: beyond <see cref="SailsClientOptions.MaxPendingEvents"/> events or
/// <see cref="SailsClientOptions.MaxPendingEventBytes"/> bytes an arriving event is dropped and counted.</item>
/// <item>A handler that throws is reported through the owner's <c>HandlerException</c>; later events still run.</item>
/// </list>
/// </remarks>
internal sealed class EventRouter : ISerialHandler<DispatchItem>
{
    private static readonly IReadOnlyList<ReadOnlyMemory<byte>> s_noAttachments = [];

    /// <summary>Names Socket.IO reserves for its own lifecycle: a server can never emit them (docs/protocol.md §3.5).</summary>
    private static readonly HashSet<string> s_reservedNames = new(StringComparer.Ordinal)
    {
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
    };

    private readonly SailsClientOptions _options;
    private readonly SailsSocket _owner;
    private readonly object _handlersGate = new();
    private readonly SerialDispatcher<DispatchItem> _dispatcher;

    /// <summary>Handlers by event name; created by the first registration, so a socket without handlers holds none.</summary>
    private Dictionary<string, Action<SailsEvent>[]>? _handlers;

    /// <summary>The streams that have not ended; created by the first.</summary>
    private List<EventStream>? _streams;
    private Action<SailsEvent>[] _anyHandlers = [];
    private long _dropped;
    private bool _closed;

    /// <summary>Payload bytes of the server events posted to the dispatcher and not yet handled.</summary>
    private long _pendingBytes;

    /// <summary>Creates a router.</summary>
    /// <param name="options">The bounds.</param>
    /// <param name="owner">The socket: the sender of lifecycle events, told when a handler throws.</param>
    public EventRouter(SailsClientOptions options, SailsSocket owner)
    {
        _options = options;
        _owner = owner;
        _dispatcher = new SerialDispatcher<DispatchItem>(this);
    }

    /// <summary>How many events were dropped to stay within the bounds (the router's and its streams').</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>The client's options (bounds of the streams).</summary>
    public SailsClientOptions Options => _options;

    /// <summary>Adds a handler for one event name.</summary>
    /// <exception cref="ArgumentException">The name is empty or reserved.</exception>
    /// <exception cref="InvalidOperationException">The name already has <see cref="SailsClientOptions.MaxListenersPerEvent"/> handlers.</exception>
    public IDisposable On(string eventName, Action<SailsEvent> handler)
    {
        CheckEventName(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            var handlers = _handlers ??= new(StringComparer.Ordinal);
            if (handlers.TryGetValue(eventName, out var existing))
            {
                CheckListenerCount(existing.Length, eventName);
                handlers[eventName] = [.. existing, handler];
            }
            else
            {
                handlers[eventName] = [handler];
            }
        }

        return new Registration(this, eventName, handler);
    }

    /// <summary>Adds a handler for every event.</summary>
    /// <exception cref="InvalidOperationException">There already are <see cref="SailsClientOptions.MaxListenersPerEvent"/> such handlers.</exception>
    public IDisposable OnAny(Action<SailsEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            CheckListenerCount(_anyHandlers.Length, "OnAny");
            _anyHandlers = [.. _anyHandlers, handler];
        }

        return new Registration(this, null, handler);
    }

    /// <summary>Removes one registration of a handler.</summary>
    public bool Off(string eventName, Action<SailsEvent> handler)
    {
        lock (_handlersGate)
        {
            if (_handlers is not { } handlers || !handlers.TryGetValue(eventName, out var existing) || Array.IndexOf(existing, handler) is var index && index < 0)
            {
                return false;
            }

            if (existing.Length == 1)
            {
                handlers.Remove(eventName);
            }
            else
            {
                handlers[eventName] = [.. existing.Where((_, i) => i != index)];
            }

            return true;
        }
    }

    /// <summary>Removes every handler of one event name.</summary>
    public bool Off(string eventName)
    {
        lock (_handlersGate)
        {
            return _handlers?.Remove(eventName) ?? false;
        }
    }

    /// <summary>Removes every handler, named and catch-all.</summary>
    public bool OffAll()
    {
        lock (_handlersGate)
        {
            var any = _handlers is { Count: > 0 } || _anyHandlers.Length > 0;
            _handlers?.Clear();
            _anyHandlers = [];
            return any;
        }
    }

    /// <summary>Keeps a stream until it ends, so that <see cref="Close"/> can end it; false once closed.</summary>
    public bool Track(EventStream stream)
    {
        lock (_handlersGate)
        {
            if (_closed)
            {
                return false;
            }

            (_streams ??= []).Add(stream);
            return true;
        }
    }

    /// <summary>Forgets an ended stream.</summary>
    public void Untrack(EventStream stream)
    {
        lock (_handlersGate)
        {
            _streams?.Remove(stream);
        }
    }

    /// <summary>The socket is disposed: every stream ends once its consumer has read what it holds.</summary>
    public void Close()
    {
        EventStream[] streams;
        lock (_handlersGate)
        {
            _closed = true;
            streams = _streams is { } list ? [.. list] : [];
        }

        foreach (var stream in streams)
        {
            stream.End();
        }
    }

    /// <summary>On the receive loop: copy what the handlers need and hand it to the dispatcher.</summary>
    public void OnSocketIoEvent(in SocketIoEvent socketEvent)
    {
        SocketDiagnostics.EventReceived();
        if (HandlersFor(socketEvent.Name) is null && Volatile.Read(ref _anyHandlers).Length == 0)
        {
            return;
        }

        // Sized before anything is copied: the copies below are what the bound is about.
        long size = socketEvent.GetArgument(0).Length;
        for (var i = 0; i < socketEvent.Attachments.Count; i++)
        {
            size += socketEvent.Attachments[i].Length;
        }

        if (_dispatcher.Pending >= _options.MaxPendingEvents
            || Interlocked.Read(ref _pendingBytes) + size > _options.MaxPendingEventBytes)
        {
            // Bounded memory whatever the server sends: the receive loop never waits for handlers, so drop instead.
            CountDropped(socketEvent.Name);
            return;
        }

        Interlocked.Add(ref _pendingBytes, size);
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

        _dispatcher.Post(new DispatchItem(new SailsEvent(socketEvent.Name, socketEvent.GetArgument(0).ToArray(), attachments), null));
    }

    /// <summary>Queues a lifecycle notification behind the events already received, if anyone listens to it.</summary>
    /// <remarks>Skipping unheard notifications keeps a quiet socket's dispatcher (and its queue) unallocated.</remarks>
    public void Post(Delegate? listeners, Action notification)
    {
        if (listeners is not null)
        {
            _dispatcher.Post(new DispatchItem(null, notification));
        }
    }

    /// <summary>Counts one dropped event.</summary>
    public void CountDropped(string eventName)
    {
        var dropped = Interlocked.Increment(ref _dropped);
        _owner.Diagnostics.EventDropped(eventName, _dispatcher.Pending, dropped);
    }

    /// <summary>What an event holds: its data and attachments (the name and the object are small and fixed).</summary>
    public static long PayloadSize(SailsEvent socketEvent)
    {
        long size = socketEvent.Data.Length;
        foreach (var attachment in socketEvent.Attachments)
        {
            size += attachment.Length;
        }

        return size;
    }

    /// <summary>Refuses names a server can never send.</summary>
    /// <exception cref="ArgumentException">The name is empty or reserved.</exception>
    public static void CheckEventName(string eventName)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        if (s_reservedNames.Contains(eventName))
        {
            throw new ArgumentException($"'{eventName}' is reserved by Socket.IO and never sent by a server; use the socket's lifecycle events (Connected, Disconnected, …).", nameof(eventName));
        }
    }

    void ISerialHandler<DispatchItem>.Handle(DispatchItem item)
    {
        if (item.Notification is { } notification)
        {
            try
            {
                notification();
            }
#pragma warning disable CA1031 // A lifecycle handler's exception must not escape onto the thread pool or stop later notifications.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            return;
        }

        var socketEvent = item.Event!;
        Interlocked.Add(ref _pendingBytes, -PayloadSize(socketEvent));
        foreach (var handler in HandlersFor(socketEvent.Name) ?? [])
        {
            Invoke(handler, socketEvent);
        }

        foreach (var handler in Volatile.Read(ref _anyHandlers))
        {
            Invoke(handler, socketEvent);
        }
    }

    /// <summary>Refuses one more handler before the handler array is copied.</summary>
    private void CheckListenerCount(int count, string eventName)
    {
        var max = _options.MaxListenersPerEvent;
        if (count >= max)
        {
            throw new InvalidOperationException($"'{eventName}' already has {count} handlers on this socket (SailsClientOptions.MaxListenersPerEvent = {max}). Dispose the registrations you no longer need, or raise the limit.");
        }
    }

    private Action<SailsEvent>[]? HandlersFor(string eventName)
    {
        lock (_handlersGate)
        {
            return _handlers?.GetValueOrDefault(eventName);
        }
    }

    private void Invoke(Action<SailsEvent> handler, SailsEvent socketEvent)
    {
        try
        {
            handler(socketEvent);
        }
#pragma warning disable CA1031 // A user handler's exception is reported, never allowed to stop the dispatch of later events.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _owner.Diagnostics.HandlerFailed(socketEvent.Name, ex);

            _owner.OnHandlerFailed(socketEvent, ex);
        }
    }

    private void RemoveAny(Action<SailsEvent> handler)
    {
        lock (_handlersGate)
        {
            var index = Array.IndexOf(_anyHandlers, handler);
            if (index >= 0)
            {
                _anyHandlers = [.. _anyHandlers.Where((_, i) => i != index)];
            }
        }
    }

    /// <summary>One handler's registration: a named one, or a catch-all when the name is null. Disposing removes it once.</summary>
    private sealed class Registration(EventRouter router, string? eventName, Action<SailsEvent> handler) : IDisposable
    {
        private EventRouter? _router = router;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _router, null) is { } router)
            {
                if (eventName is null)
                {
                    router.RemoveAny(handler);
                }
                else
                {
                    router.Off(eventName, handler);
                }
            }
        }
    }
}
