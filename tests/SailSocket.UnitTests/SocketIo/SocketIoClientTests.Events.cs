using System;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content>Server-pushed events (protocol.md §3.5): in order, arguments readable, acks asked by the server answered.</content>
public sealed partial class SocketIoClientTests
{
    [Fact]
    public async Task Event_ReachesOnEventInOrder()
    {
        await ConnectAsync();

        await _peer.SendTextAsync("""42["chat",{"text":"hi"}]""");
        await _peer.SendTextAsync("""42["message",{"text":"default event name"}]""");
        await _peer.SendTextAsync("""42["announcement",{"text":"to everybody"}]""");

        var first = await NextEventAsync();
        Assert.Equal("chat", first.Name);
        Assert.Equal("""{"text":"hi"}""", first.FirstArgument);
        Assert.Equal("""["chat",{"text":"hi"}]""", first.Arguments);
        Assert.Equal(-1, first.AckId);
        Assert.Empty(first.Attachments);
        Assert.Equal("message", (await NextEventAsync()).Name);
        Assert.Equal("announcement", (await NextEventAsync()).Name);
    }

    [Fact]
    public async Task Event_ManyInARow_KeepTheirOrder()
    {
        await ConnectAsync();

        for (var i = 0; i < 100; i++)
        {
            await _peer.SendTextAsync($"42[\"n\",{i}]");
        }

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), (await NextEventAsync()).FirstArgument);
        }
    }

    [Fact]
    public async Task Event_WithoutArguments_HasAnEmptyFirstArgument()
    {
        await ConnectAsync();

        await _peer.SendTextAsync("""42["ping-me"]""");

        var received = await NextEventAsync();
        Assert.Equal("ping-me", received.Name);
        Assert.Equal("", received.FirstArgument);
    }

    [Fact]
    public async Task Event_AskingForAnAck_IsAnsweredWithAnEmptyAckByDefault()
    {
        await ConnectAsync();

        await _peer.SendTextAsync("""427["question",{"q":1}]""");

        Assert.Equal(7, (await NextEventAsync()).AckId);
        Assert.Equal("437[]", await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task Event_AskingForAnAck_WithAcknowledgeEventsOff_IsAnsweredByAckAsync()
    {
        var options = CreateOptions();
        var client = await ConnectAsync(new SocketIoOptions
        {
            Engine = options.Engine,
            OnEvent = options.OnEvent,
            AcknowledgeEvents = false,
        });

        await _peer.SendTextAsync("""427["question",{"q":1}]""");
        var received = await NextEventAsync();
        await client.AckAsync(received.AckId, 42, static (writer, answer) => writer.WriteNumberValue(answer)).WaitAsync(TestTimeouts.Default);

        Assert.Equal("437[42]", await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task Event_WithoutAckId_IsNotAnswered()
    {
        var client = await ConnectAsync();

        await _peer.SendTextAsync("""42["no-answer"]""");
        await NextEventAsync();
        await client.EmitAsync("probe", 0, static (_, _) => { }).WaitAsync(TestTimeouts.Default);

        // The next thing the server hears is the probe, not an ack.
        Assert.Equal("""42["probe"]""", await _peer.ReceiveTextAsync());
    }

    [Fact]
    public async Task Event_BinaryEvent_DeliversTheAttachments()
    {
        await ConnectAsync();

        await _peer.SendTextAsync("""451-["file",{"content":{"_placeholder":true,"num":0}}]""");
        await _peer.SendBinaryAsync([0x01, 0x02]);

        var received = await NextEventAsync();
        Assert.Equal("file", received.Name);
        Assert.Equal(new byte[] { 0x01, 0x02 }, Assert.Single(received.Attachments));
    }

    [Fact]
    public async Task Event_OfAnotherNamespace_IsNotDelivered()
    {
        await ConnectAsync();

        await _peer.SendTextAsync("""42/admin,["elsewhere"]""");
        await _peer.SendTextAsync("""42["here"]""");

        Assert.Equal("here", (await NextEventAsync()).Name);
    }

    /// <summary>
    /// Regression test for a bug found and fixed (src/SocketIo/SocketIoClient.Receive.cs, Dispatch): a packet for another namespace is ignored before the
    /// binary assembler sees it, so a BINARY_EVENT/BINARY_ACK of another namespace leaves its attachments orphaned; the
    /// first one then fails with "A binary attachment arrived with no binary packet header" and the whole connection is
    /// dropped as a protocol error. Text packets of other namespaces are ignored gracefully; binary ones should be too
    /// (start the assembler and drop the completed packet, or count and skip its attachments).
    /// </summary>
    [Fact]
    public async Task Event_BinaryEventOfAnotherNamespace_IsSkippedWithItsAttachments()
    {
        var client = await ConnectAsync();

        await _peer.SendTextAsync("""451-/admin,["elsewhere",{"_placeholder":true,"num":0}]""");
        await _peer.SendBinaryAsync([1, 2, 3]);
        await _peer.SendTextAsync("""42["here"]""");

        // Fails fast (with the reason) when the client drops the connection instead of delivering the next event.
        var next = NextEventAsync();
        var first = await Task.WhenAny(next, _disconnected.Task).WaitAsync(TestTimeouts.Default);
        if (first != next)
        {
            Assert.Fail($"disconnected instead: {(await _disconnected.Task).Message}");
        }

        Assert.Equal("here", (await next).Name);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Event_HandlerThatThrows_DoesNotStopTheLoop()
    {
        var calls = 0;
        var throwing = new SocketIoOptions
        {
            Engine = _peer.CreateOptions(),
            OnEvent = (in SocketIoEvent e) =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    throw new InvalidOperationException("handler bug");
                }

                _events.Writer.TryWrite(new ReceivedEvent(e.Name, "", "", e.AckId, []));
            },
        };
        await ConnectAsync(throwing);

        await _peer.SendTextAsync("""42["first"]""");
        await _peer.SendTextAsync("""42["second"]""");

        Assert.Equal("second", (await NextEventAsync()).Name);
    }
}
