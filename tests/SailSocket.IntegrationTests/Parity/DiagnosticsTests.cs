using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace SailSocket.IntegrationTests.Parity;

/// <summary>The SailSocket EventSource reports the lifecycle without leaking handshake secrets.</summary>
public sealed class DiagnosticsTests : SailsServerTestBase
{
    [Fact]
    public async Task Lifecycle_events_reach_an_event_listener_without_secrets()
    {
        using var listener = new Listener();
        await using var socket = await Client.ConnectAsync(new SailsSocketOptions { InitialConnectionHeaders = [new("Cookie", "secret=hunter2")] }, Bound.Seconds(15));
        await socket.GetAsync("/disconnect-me", Bound.Seconds(10));
        await Bound.Until(() => listener.Events.Any(e => e.EventName == "Disconnected"), 10);

        var connected = listener.Events.First(e => e.EventName == "Connected" && (string?)e.Payload![1] == socket.Id);
        Assert.Equal(Server.Url.GetLeftPart(UriPartial.Authority), connected.Payload![0]);
        Assert.DoesNotContain(listener.Events, e => e.Payload!.Any(p => p?.ToString()?.Contains("hunter2", StringComparison.Ordinal) == true));
    }

    private sealed class Listener : EventListener
    {
        public ConcurrentQueue<EventWrittenEventArgs> Events { get; } = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "SailSocket")
            {
                EnableEvents(eventSource, EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData) => Events.Enqueue(eventData);
    }
}
