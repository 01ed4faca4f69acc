using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Channels;
using SailSocket.Internal;
using SailSocket.SocketIo;

namespace SailSocket;

/// <content>Server events (<c>io.socket.on</c> / <c>off</c>), streams of events, and lifecycle events.</content>
public sealed partial class SailsSocket
{
    private static readonly IReadOnlyList<ReadOnlyMemory<byte>> s_noAttachments = [];

    /// <summary>Names Socket.IO reserves for its own lifecycle: a server can never emit them (docs/protocol.md §3.5).</summary>
    private static readonly HashSet<string> s_reservedNames = new(StringComparer.Ordinal)
    {
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
    };

    private readonly object _handlersGate = new();
    private readonly Dictionary<string, Action<SailsEvent>[]> _handlers = new(StringComparer.Ordinal);
    private readonly SerialDispatcher<DispatchItem> _dispatcher;
    private readonly List<ChannelWriter<SailsEvent>> _streams = [];
    private Action<SailsEvent>[] _anyHandlers = [];
    private long _droppedEvents;

    /// <summary>Payload bytes of the server events posted to the dispatcher and not yet handled (<see cref="SailsClientOptions.MaxPendingEventBytes"/>).</summary>
    private long _pendingEventBytes;

    /// <summary>
    /// How many server events this socket dropped to stay within its bounds: events the handlers fell
    /// <see cref="SailsClientOptions.MaxPendingEvents"/> events or <see cref="SailsClientOptions.MaxPendingEventBytes"/>
    /// bytes behind on, and events a <see cref="ReadEventsAsync"/> stream dropped (oldest first) because its consumer fell
    /// its capacity or <see cref="SailsClientOptions.MaxPendingEventBytes"/> behind. Zero unless handlers or consumers are
    /// slower than the server's event rate for a long time.
    /// </summary>
    public long DroppedEventCount => Interlocked.Read(ref _droppedEvents);

    /// <summary>Raised when the socket connects: the first time and after every reconnect (socket.io <c>connect</c>).</summary>
    public event EventHandler<SailsConnectionEventArgs>? Connected;

    /// <summary>Raised once each time the socket stops being connected, after requests in flight have failed.</summary>
    public event EventHandler<SailsDisconnectedEventArgs>? Disconnected;

    /// <summary>Raised before each reconnection attempt, with its number and delay (socket.io <c>reconnecting</c>).</summary>
    public event EventHandler<SailsConnectionEventArgs>? Reconnecting;

    /// <summary>Raised when a reconnection attempt succeeds, with its number (socket.io <c>reconnect</c>).</summary>
    public event EventHandler<SailsConnectionEventArgs>? Reconnected;

    /// <summary>Raised when a connection attempt fails, with the error (socket.io <c>connect_error</c>).</summary>
    public event EventHandler<SailsConnectionEventArgs>? ConnectError;

    /// <summary>Raised when reconnection gives up after its last attempt (socket.io <c>reconnect_failed</c>).</summary>
    public event EventHandler<SailsConnectionEventArgs>? ReconnectFailed;

    /// <summary>Raised when an event handler throws; the socket and the other handlers carry on.</summary>
    public event EventHandler<SailsHandlerExceptionEventArgs>? HandlerException;

    /// <summary>Calls <paramref name="handler"/> for every server event named <paramref name="eventName"/> (<c>io.socket.on</c>).</summary>
    /// <param name="eventName">The event name: a room event, <c>message</c>, or a model identity such as <c>user</c>.</param>
    /// <param name="handler">The handler; runs on the thread pool, one event at a time, in arrival order.</param>
    /// <returns>A registration; dispose it to remove this handler.</returns>
    /// <exception cref="ArgumentException"><paramref name="eventName"/> is empty or reserved by Socket.IO (<c>connect</c>,
    /// <c>disconnect</c>, … — use the lifecycle events instead).</exception>
    /// <exception cref="InvalidOperationException">The event already has <see cref="SailsClientOptions.MaxListenersPerEvent"/>
    /// handlers (a registration leak, most likely: dispose the registrations you no longer need).</exception>
    public IDisposable On(string eventName, Action<SailsEvent> handler)
    {
        CheckEventName(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            if (_handlers.TryGetValue(eventName, out var existing))
            {
                CheckListenerCount(existing.Length, eventName);
                _handlers[eventName] = [.. existing, handler];
            }
            else
            {
                _handlers[eventName] = [handler];
            }
        }

        return new Registration(this, eventName, handler);
    }

    /// <summary>Calls <paramref name="handler"/> with the data of every event named <paramref name="eventName"/>, deserialised.</summary>
    /// <typeparam name="T">The data type.</typeparam>
    /// <param name="eventName">The event name.</param>
    /// <param name="dataTypeInfo">Serialization metadata for the data (source-generated for AOT).</param>
    /// <param name="handler">The handler; data that does not deserialise is reported to <see cref="HandlerException"/>.</param>
    /// <returns>A registration; dispose it to remove the handler.</returns>
    /// <exception cref="ArgumentException"><paramref name="eventName"/> is empty or reserved.</exception>
    /// <exception cref="InvalidOperationException">The event already has <see cref="SailsClientOptions.MaxListenersPerEvent"/> handlers.</exception>
    public IDisposable On<T>(string eventName, JsonTypeInfo<T> dataTypeInfo, Action<T?> handler)
    {
        ArgumentNullException.ThrowIfNull(dataTypeInfo);
        ArgumentNullException.ThrowIfNull(handler);
        return On(eventName, e => handler(e.ReadData(dataTypeInfo)));
    }

    /// <summary>Calls <paramref name="handler"/> for the next event named <paramref name="eventName"/> only.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>A registration; dispose it to remove the handler before it runs.</returns>
    /// <exception cref="ArgumentException"><paramref name="eventName"/> is empty or reserved.</exception>
    /// <exception cref="InvalidOperationException">The event already has <see cref="SailsClientOptions.MaxListenersPerEvent"/> handlers.</exception>
    public IDisposable Once(string eventName, Action<SailsEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        IDisposable? registration = null;
        var fired = 0;
        registration = On(eventName, e =>
        {
            if (Interlocked.Exchange(ref fired, 1) == 0)
            {
                registration?.Dispose();
                handler(e);
            }
        });
        return registration;
    }

    /// <summary>Calls <paramref name="handler"/> for every server event, whatever its name (after the named handlers).</summary>
    /// <param name="handler">The handler.</param>
    /// <returns>A registration; dispose it to remove the handler.</returns>
    /// <exception cref="InvalidOperationException">The socket already has <see cref="SailsClientOptions.MaxListenersPerEvent"/> such handlers.</exception>
    public IDisposable OnAny(Action<SailsEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            CheckListenerCount(_anyHandlers.Length, "OnAny");
            _anyHandlers = [.. _anyHandlers, handler];
        }

        return new AnyRegistration(this, handler);
    }

    /// <summary>Removes one registration of <paramref name="handler"/> for <paramref name="eventName"/>.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="handler">The handler given to <see cref="On(string, Action{SailsEvent})"/>.</param>
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

    /// <summary>
    /// Streams the events named <paramref name="eventName"/> for <c>await foreach</c>, across reconnects, until the
    /// enumeration stops or the socket is disposed.
    /// </summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="capacity">How many events may wait for a slow consumer. Default 1024.</param>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The events, in arrival order.</returns>
    /// <remarks>
    /// When the consumer falls <paramref name="capacity"/> events or <see cref="SailsClientOptions.MaxPendingEventBytes"/>
    /// payload bytes behind, the oldest waiting events are dropped to make room (counted in <see cref="DroppedEventCount"/>):
    /// memory stays bounded and the socket is never slowed down by a consumer. Events that arrive before the
    /// enumeration starts are not seen. Each stream is one handler of <paramref name="eventName"/> while it is enumerated,
    /// counted against <see cref="SailsClientOptions.MaxListenersPerEvent"/>: starting one more throws
    /// <see cref="InvalidOperationException"/> from the first <c>MoveNextAsync</c>.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="eventName"/> is empty or reserved.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public IAsyncEnumerable<SailsEvent> ReadEventsAsync(string eventName, int capacity = 1024, CancellationToken cancellationToken = default)
    {
        CheckEventName(eventName);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return Stream(eventName, capacity, cancellationToken);
    }

    private async IAsyncEnumerable<SailsEvent> Stream(string eventName, int capacity, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Payload bytes waiting in this stream. The channel's own DropOldest (capacity) and the byte bound below both
        // release what they drop; the byte bound reads from the writer's side, hence not SingleReader.
        long bytes = 0;
        var maxBytes = _owner.Options.MaxPendingEventBytes;
        var channel = Channel.CreateBounded<SailsEvent>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = false,
                SingleWriter = true,
            },
            dropped =>
            {
                Interlocked.Add(ref bytes, -PayloadSize(dropped));
                CountDropped(dropped.Name);
            });
        lock (_streams)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                yield break;
            }

            _streams.Add(channel.Writer);
        }

        try
        {
            using var registration = On(eventName, e =>
            {
                var size = PayloadSize(e);
                if (size > maxBytes)
                {
                    CountDropped(e.Name);
                    return;
                }

                while (Interlocked.Read(ref bytes) + size > maxBytes && channel.Reader.TryRead(out var oldest))
                {
                    Interlocked.Add(ref bytes, -PayloadSize(oldest));
                    CountDropped(oldest.Name);
                }

                Interlocked.Add(ref bytes, size);
                if (!channel.Writer.TryWrite(e))
                {
                    Interlocked.Add(ref bytes, -size); // the stream has ended
                }
            });
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var item))
                {
                    Interlocked.Add(ref bytes, -PayloadSize(item));
                    yield return item;
                }
            }
        }
        finally
        {
            lock (_streams)
            {
                _streams.Remove(channel.Writer);
            }
        }
    }

    private void CompleteEventStreams()
    {
        lock (_streams)
        {
            foreach (var writer in _streams)
            {
                writer.TryComplete();
            }

            _streams.Clear();
        }
    }

    private static void CheckEventName(string eventName)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        if (s_reservedNames.Contains(eventName))
        {
            throw new ArgumentException($"'{eventName}' is reserved by Socket.IO and never sent by a server; use the socket's lifecycle events (Connected, Disconnected, …).", nameof(eventName));
        }
    }

    /// <summary>Refuses one more handler before the handler array is copied (<see cref="SailsClientOptions.MaxListenersPerEvent"/>).</summary>
    private void CheckListenerCount(int count, string eventName)
    {
        var max = _owner.Options.MaxListenersPerEvent;
        if (count >= max)
        {
            throw new InvalidOperationException($"'{eventName}' already has {count} handlers on this socket (SailsClientOptions.MaxListenersPerEvent = {max}). Dispose the registrations you no longer need, or raise the limit.");
        }
    }

    /// <summary>What an event holds: its data and attachments (the name and the object are small and fixed).</summary>
    private static long PayloadSize(SailsEvent socketEvent)
    {
        long size = socketEvent.Data.Length;
        foreach (var attachment in socketEvent.Attachments)
        {
            size += attachment.Length;
        }

        return size;
    }

    private void CountDropped(string eventName)
    {
        Interlocked.Increment(ref _droppedEvents);
        if (SailsEventSource.Log.IsEnabled())
        {
            SailsEventSource.Log.EventDropped(eventName, _dispatcher.Pending);
        }
    }

    private Action<SailsEvent>[]? HandlersFor(string eventName)
    {
        lock (_handlersGate)
        {
            return _handlers.GetValueOrDefault(eventName);
        }
    }

    private bool HasAnyHandlers => Volatile.Read(ref _anyHandlers).Length > 0;

    /// <summary>On the receive loop: copy what the handlers need and hand it to the dispatcher.</summary>
    private void OnSocketIoEvent(in SocketIoEvent socketEvent)
    {
        if (HandlersFor(socketEvent.Name) is null && !HasAnyHandlers)
        {
            return;
        }

        // Sized before anything is copied: the copies below are what the bound is about.
        long size = socketEvent.GetArgument(0).Length;
        for (var i = 0; i < socketEvent.Attachments.Count; i++)
        {
            size += socketEvent.Attachments[i].Length;
        }

        if (_dispatcher.Pending >= _owner.Options.MaxPendingEvents
            || Interlocked.Read(ref _pendingEventBytes) + size > _owner.Options.MaxPendingEventBytes)
        {
            // Bounded memory whatever the server sends: the receive loop never waits for handlers, so drop instead.
            CountDropped(socketEvent.Name);
            return;
        }

        Interlocked.Add(ref _pendingEventBytes, size);
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
    private void Post(Delegate? listeners, Action notification)
    {
        if (listeners is not null)
        {
            _dispatcher.Post(new DispatchItem(null, notification));
        }
    }

    private void Dispatch(DispatchItem item)
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
        Interlocked.Add(ref _pendingEventBytes, -PayloadSize(socketEvent));
        foreach (var handler in HandlersFor(socketEvent.Name) ?? [])
        {
            Invoke(handler, socketEvent);
        }

        foreach (var handler in Volatile.Read(ref _anyHandlers))
        {
            Invoke(handler, socketEvent);
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
            if (SailsEventSource.Log.IsEnabled())
            {
                SailsEventSource.Log.HandlerFailed(socketEvent.Name, ex.GetType().Name);
            }

            Raise(HandlerException, new SailsHandlerExceptionEventArgs(socketEvent, ex));
        }
    }

    private void Raise<TArgs>(EventHandler<TArgs>? handler, TArgs args) => handler?.Invoke(this, args);

    private void RaiseDisconnected(SocketIoDisconnectedException exception)
    {
        var reason = exception.Reason switch
        {
            SocketIoDisconnectReason.ClientDisconnect => SailsDisconnectReason.ClientDisconnect,
            SocketIoDisconnectReason.ServerDisconnect => SailsDisconnectReason.ServerDisconnect,
            SocketIoDisconnectReason.PingTimeout => SailsDisconnectReason.PingTimeout,
            SocketIoDisconnectReason.ProtocolError => SailsDisconnectReason.ProtocolError,
            _ => SailsDisconnectReason.TransportClose,
        };

        Raise(Disconnected, new SailsDisconnectedEventArgs(reason, exception));
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

    private sealed class Registration(SailsSocket socket, string eventName, Action<SailsEvent> handler) : IDisposable
    {
        private SailsSocket? _socket = socket;

        public void Dispose() => Interlocked.Exchange(ref _socket, null)?.Off(eventName, handler);
    }

    private sealed class AnyRegistration(SailsSocket socket, Action<SailsEvent> handler) : IDisposable
    {
        private SailsSocket? _socket = socket;

        public void Dispose() => Interlocked.Exchange(ref _socket, null)?.RemoveAny(handler);
    }
}
