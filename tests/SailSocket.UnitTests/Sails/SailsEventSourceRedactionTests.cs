using System;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Threading.Tasks;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// The one server text the <c>SailSocket</c> EventSource writes, an event name (a handler that threw, a dropped event),
/// is redacted with the connection's credentials and cut to 128 characters: a server that names an event after a
/// credential it saw, or with a megabyte of text, reaches no log with it.
/// </summary>
public sealed class SailsEventSourceRedactionTests
{
    private const string DefaultKey = "default-api-key-6d5c4b3a";

    [Fact]
    public async Task HandlerFailed_OfAnEventNamedAfterACredential_IsRedactedAndCut()
    {
        using var events = new Listener();
        await using var harness = new SailsHarness(configureHandshake: (handshake, _) =>
        {
            handshake.RequestHeaders["x-api-key"] = DefaultKey;
            return ValueTask.CompletedTask;
        });
        var (socket, peer) = await harness.ConnectAsync();
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.HandlerException += (_, _) => failed.TrySetResult();
        using var any = socket.OnAny(_ => throw new InvalidOperationException("handler"));

        var name = "echo-" + DefaultKey + "-" + new string('n', 1000);
        await peer.EmitAsync(name);
        await failed.Task.WaitAsync(TestTimeouts.Default);

        var line = Assert.Single(events.Lines, l => l.StartsWith("HandlerFailed", StringComparison.Ordinal) && l.Contains("echo-", StringComparison.Ordinal));
        Assert.Contains("echo-[redacted]", line, StringComparison.Ordinal);
        Assert.DoesNotContain(DefaultKey, line, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('n', 129), line, StringComparison.Ordinal);
    }

    private sealed class Listener : EventListener
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "SailSocket")
            {
                EnableEvents(eventSource, EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData) =>
            Lines.Enqueue($"{eventData.EventName} {string.Join(' ', eventData.Payload ?? [])}");
    }
}
