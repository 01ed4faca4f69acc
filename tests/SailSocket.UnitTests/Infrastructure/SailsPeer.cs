using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Xunit;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>
/// A scripted Sails server for <see cref="SailsClientOptions.WebSocketFactory"/>: every connection attempt of the client
/// calls <see cref="Factory"/>, which either refuses (<see cref="Refuse"/>) or hands out the client end of a fresh
/// <see cref="WebSocketPeer"/>, whose server end the test then drives as a <see cref="SailsPeer"/>.
/// </summary>
internal sealed class SailsServer : IAsyncDisposable
{
    private readonly Channel<int> _attempts = Channel.CreateUnbounded<int>();
    private readonly Channel<SailsPeer> _connections = Channel.CreateUnbounded<SailsPeer>();
    private readonly List<SailsPeer> _all = [];
    private int _attemptCount;

    public SailsServer()
    {
        Factory = (uri, _) =>
        {
            var attempt = Interlocked.Increment(ref _attemptCount);
            _attempts.Writer.TryWrite(attempt);
            if (Refuse?.Invoke(attempt) is { } refusal)
            {
                return ValueTask.FromException<WebSocket>(refusal);
            }

            var peer = new SailsPeer(new WebSocketPeer(), uri, attempt);
            lock (_all)
            {
                _all.Add(peer);
            }

            _connections.Writer.TryWrite(peer);
            return ValueTask.FromResult(peer.Peer.Client);
        };
    }

    /// <summary>The factory to put in <see cref="SailsClientOptions.WebSocketFactory"/>.</summary>
    public Func<Uri, CancellationToken, ValueTask<WebSocket>> Factory { get; }

    /// <summary>Given the attempt number (from 1), the exception that attempt fails with, or null to accept it.</summary>
    public Func<int, Exception?>? Refuse { get; set; }

    /// <summary>How many times the client tried to open a WebSocket.</summary>
    public int Attempts => Volatile.Read(ref _attemptCount);

    /// <summary>Waits until the client has made attempt <paramref name="number"/> (from 1), refused or not.</summary>
    public async Task WaitForAttemptAsync(int number)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        while (Attempts < number)
        {
            await _attempts.Reader.WaitToReadAsync(cts.Token);
            while (_attempts.Reader.TryRead(out _))
            {
            }
        }
    }

    /// <summary>Waits for the next accepted WebSocket and plays the Engine.IO and Socket.IO handshakes on it.</summary>
    public async Task<SailsPeer> AcceptAsync(string sid = "sid-1")
    {
        var peer = await NextConnectionAsync();
        await peer.HandshakeAsync(sid);
        return peer;
    }

    /// <summary>Waits for the next accepted WebSocket without answering it.</summary>
    public async Task<SailsPeer> NextConnectionAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        return await _connections.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        SailsPeer[] all;
        lock (_all)
        {
            all = [.. _all];
        }

        foreach (var peer in all)
        {
            await peer.Peer.DisposeAsync();
        }
    }
}

/// <summary>The server side of one connection of a Sails socket.</summary>
internal sealed class SailsPeer(WebSocketPeer peer, Uri uri, int attempt)
{
    /// <summary>Far beyond anything a test advances the clock by: no heartbeat is ever due.</summary>
    private const int NoHeartbeat = 1_000_000_000;

    public WebSocketPeer Peer { get; } = peer;

    /// <summary>The handshake URL the client asked for.</summary>
    public Uri Uri { get; } = uri;

    /// <summary>Which attempt of the server (from 1) this connection is.</summary>
    public int Attempt { get; } = attempt;

    /// <summary>Sends the open packet, expects the Socket.IO CONNECT and answers it with <paramref name="sid"/>.</summary>
    public async Task HandshakeAsync(string sid)
    {
        await Peer.SendOpenAsync(NoHeartbeat, NoHeartbeat);
        var connect = await Peer.ReceiveTextAsync();
        Assert.StartsWith("40", connect, StringComparison.Ordinal);
        await Peer.SendTextAsync($"40{{\"sid\":\"{sid}\"}}");
    }

    /// <summary>Reads the next message, which must be a Sails request (<c>42&lt;ackId&gt;["method",{envelope}]</c>).</summary>
    public async Task<SailsPeerRequest> ReceiveRequestAsync() => SailsPeerRequest.Parse(await Peer.ReceiveTextAsync());

    /// <summary>Answers a request with a JWR: <c>43&lt;ackId&gt;[{"body":…,"headers":{},"statusCode":…}]</c>.</summary>
    public Task RespondAsync(SailsPeerRequest request, int statusCode = 200, string body = "null") =>
        Peer.SendTextAsync(string.Create(CultureInfo.InvariantCulture, $"43{request.AckId}[{{\"body\":{body},\"headers\":{{}},\"statusCode\":{statusCode}}}]"));

    /// <summary>Pushes a server event <c>42["name",data]</c>.</summary>
    public Task EmitAsync(string eventName, string data = "{}") => Peer.SendTextAsync($"42[\"{eventName}\",{data}]");

    /// <summary>Sends the Socket.IO DISCONNECT of the main namespace (<c>41</c>): a server-side disconnect.</summary>
    public Task DisconnectAsync() => Peer.SendTextAsync("41");

    /// <summary>Closes the WebSocket under the connection: a transport close.</summary>
    public Task DropAsync() => Peer.CloseAsync();

    /// <summary>
    /// Reads what the client still sends until its side closes, and returns the Sails requests among it: after a drop,
    /// shows that nothing more was sent on this connection.
    /// </summary>
    public async Task<List<string>> ReadRemainingRequestsAsync()
    {
        var requests = new List<string>();
        while (true)
        {
            WebSocketMessageType type;
            byte[] data;
            try
            {
                (type, data) = await Peer.ReceiveAsync();
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                return requests;
            }

            if (type == WebSocketMessageType.Close)
            {
                return requests;
            }

            var text = System.Text.Encoding.UTF8.GetString(data);
            if (text.StartsWith("42", StringComparison.Ordinal))
            {
                requests.Add(text);
            }
        }
    }
}

/// <summary>A Sails request as the server read it.</summary>
internal sealed class SailsPeerRequest
{
    private SailsPeerRequest(string raw, long ackId, string eventName, JsonElement envelope)
    {
        Raw = raw;
        AckId = ackId;
        EventName = eventName;
        Envelope = envelope;
    }

    public string Raw { get; }

    public long AckId { get; }

    /// <summary>The Socket.IO event name: the method in lower case.</summary>
    public string EventName { get; }

    /// <summary>The envelope: <c>{"method":…,"headers":{…},"data":…,"url":…}</c>.</summary>
    public JsonElement Envelope { get; }

    public string Url => Envelope.GetProperty("url").GetString()!;

    public string Method => Envelope.GetProperty("method").GetString()!;

    /// <summary>A request header from the envelope, or null.</summary>
    public string? Header(string name) =>
        Envelope.TryGetProperty("headers", out var headers) && headers.TryGetProperty(name, out var value) ? value.GetString() : null;

    public static SailsPeerRequest Parse(string text)
    {
        Assert.StartsWith("42", text, StringComparison.Ordinal);
        var bracket = text.IndexOf('[', StringComparison.Ordinal);
        Assert.True(bracket > 2, $"A request carries an ack id: {text}");
        var ackId = long.Parse(text[2..bracket], CultureInfo.InvariantCulture);
        using var document = JsonDocument.Parse(text[bracket..]);
        var array = document.RootElement;
        Assert.Equal(2, array.GetArrayLength());
        return new SailsPeerRequest(text, ackId, array[0].GetString()!, array[1].Clone());
    }

    public override string ToString() => Raw;
}

/// <summary>
/// A <see cref="ManualTimeProvider"/> that also reports the timers created on it, so that a test can wait until the code
/// under test has armed a timer (a backoff delay, a deadline) before it advances the clock past it — no polling.
/// </summary>
internal sealed class ObservedClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<TimeSpan> _unclaimed = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource Armed)> _waiters = [];

    public ManualTimeProvider Manual { get; } = new();

    public override long TimestampFrequency => Manual.TimestampFrequency;

    public TimeSpan Elapsed => Manual.Elapsed;

    public override long GetTimestamp() => Manual.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => Manual.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Manual.CreateTimer(callback, state, dueTime, period);
        if (period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero)
        {
            TaskCompletionSource? armed = null;
            lock (_gate)
            {
                var index = _waiters.FindIndex(w => w.Due == dueTime);
                if (index >= 0)
                {
                    armed = _waiters[index].Armed;
                    _waiters.RemoveAt(index);
                }
                else
                {
                    _unclaimed.Add(dueTime);
                }
            }

            armed?.TrySetResult();
        }

        return timer;
    }

    /// <summary>Waits until a one-shot timer of <paramref name="dueTime"/> has been created (each creation is claimed once).</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime)
    {
        lock (_gate)
        {
            var index = _unclaimed.IndexOf(dueTime);
            if (index >= 0)
            {
                _unclaimed.RemoveAt(index);
                return Task.CompletedTask;
            }

            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((dueTime, armed));
            return armed.Task.WaitAsync(TestTimeouts.Default);
        }
    }

    public void Advance(TimeSpan delta) => Manual.Advance(delta);
}
