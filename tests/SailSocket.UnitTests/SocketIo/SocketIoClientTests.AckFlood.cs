using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content>
/// A server that floods events asking for acks while it does not read (the client's sends cannot complete): the automatic
/// acks waiting to be written stay within <see cref="SocketIoOptions.MaxQueuedAutomaticAcks"/>, the rest are dropped and
/// counted, every event is still delivered, and once the socket drains the acks flow again.
/// </content>
public sealed partial class SocketIoClientTests
{
    [Fact]
    public async Task Events_AskingForAcks_WhileSendsAreHeld_QueueAtMostTheBound_AndCountTheDropped()
    {
        const int Bound = 50;
        const int Flood = 3000;
        var socket = new GatedSendWebSocket(_peer.Client);
        var peerOptions = _peer.CreateOptions();
        var options = CreateOptions();
        var client = await ConnectAsync(new SocketIoOptions
        {
            Engine = new EngineOptions
            {
                Url = peerOptions.Url,
                ConnectTimeout = peerOptions.ConnectTimeout,
                MaxMessageSize = peerOptions.MaxMessageSize,
                WebSocketFactory = (_, _) => ValueTask.FromResult<WebSocket>(socket),
            },
            ConnectTimeout = options.ConnectTimeout,
            OnEvent = options.OnEvent,
            MaxQueuedAutomaticAcks = Bound,
        });

        // The server stops reading: the first ack's write never completes, every later one waits behind it.
        var gate = socket.HoldNextSend();
        for (var id = 0; id < Flood; id++)
        {
            await _peer.SendTextAsync($"42{id}[\"flood\"]");
            Assert.InRange(client.QueuedAutomaticAckCount, 0, Bound);
        }

        // An event without ack after the flood: once it is seen, every event of the flood has been handled.
        await _peer.SendTextAsync("42[\"last\"]");
        for (var i = 0; i < Flood; i++)
        {
            Assert.Equal("flood", (await NextEventAsync()).Name);
        }

        Assert.Equal("last", (await NextEventAsync()).Name);
        await gate.Entered.Task.WaitAsync(TestTimeouts.Default);
        Assert.Equal(Bound, client.QueuedAutomaticAckCount);
        Assert.Equal(Flood - Bound, client.DroppedAutomaticAckCount);
        Assert.True(client.IsConnected);

        // The socket drains: the queued acks are written in order, and nothing else was queued.
        gate.Release.SetResult();
        for (var id = 0; id < Bound; id++)
        {
            Assert.Equal($"43{id}[]", await _peer.ReceiveTextAsync());
        }

        Assert.True(SpinWait.SpinUntil(() => client.QueuedAutomaticAckCount == 0, TestTimeouts.Default), "the written acks were not released from the bound");

        // With room again, the next event's ack is sent.
        await _peer.SendTextAsync($"42{Flood}[\"again\"]");
        Assert.Equal("again", (await NextEventAsync()).Name);
        Assert.Equal($"43{Flood}[]", await _peer.ReceiveTextAsync());
        Assert.Equal(Flood - Bound, client.DroppedAutomaticAckCount);
    }
}
