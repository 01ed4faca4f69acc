using System;
using System.Threading.Tasks;
using SailSocket.Engine.Protocol;
using SailSocket.Testing;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Testing;

/// <summary>What the fake server puts on the wire, driven by hand through its WebSocket factory (docs/protocol.md).</summary>
public sealed class FakeSailsServerWireTests
{
    private static readonly Uri s_v4 = new("ws://127.0.0.1:1/socket.io/?EIO=4&transport=websocket");

    [Fact]
    public async Task Revision4_OpenThenConnectWithAuth_AnswersTheSocketId_AndKeepsTheAuth()
    {
        await using var server = new FakeSailsServer();
        using var ws = await server.WebSocketFactory!(s_v4, default);

        var open = await RawClient.ExpectAsync(ws, "0{\"sid\":\"");
        Assert.Contains("\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":100000000}", open, StringComparison.Ordinal);
        await RawClient.SendAsync(ws, "40{\"token\":\"abc\"}");
        var connect = await RawClient.ExpectAsync(ws, "40{\"sid\":\"");
        var fake = await server.WaitForSocketAsync(TestTimeouts.Default);

        Assert.Equal($"40{{\"sid\":\"{fake.Id}\"}}", connect);
        Assert.NotEqual(fake.EngineSessionId, fake.Id);
        Assert.Equal("abc", fake.Auth.GetProperty("token").GetString());
    }

    [Fact]
    public async Task Revision3_TheServerConnectsFirst_AndAnswersTheClientsPing()
    {
        await using var server = new FakeSailsServer(new FakeSailsServerOptions { Revision = EngineRevision.V3 });
        using var ws = await server.WebSocketFactory!(new Uri("ws://127.0.0.1:1/socket.io/?EIO=3&transport=websocket"), default);

        await RawClient.ExpectAsync(ws, "0{");
        Assert.Equal("40", await RawClient.ReceiveAsync(ws));
        await RawClient.SendAsync(ws, "2");
        Assert.Equal("3", await RawClient.ReceiveAsync(ws));
        await RawClient.SendAsync(ws, "40/admin,");
        Assert.Equal("44/admin,{\"message\":\"Invalid namespace\"}", await RawClient.ReceiveAsync(ws));
    }

    [Theory]
    [InlineData("40[1]")]
    [InlineData("4garbage")]
    [InlineData("9")]
    [InlineData("42{\"not\":\"array\"}")]
    public async Task WhatARealServerDropsFor_ClosesTheConnection(string packet)
    {
        await using var server = new FakeSailsServer();
        using var ws = await server.WebSocketFactory!(s_v4, default);
        await RawClient.ExpectAsync(ws, "0{");
        FakeSocket? fake = null;
        if (packet != "40[1]")
        {
            await RawClient.SendAsync(ws, "40");
            await RawClient.ExpectAsync(ws, "40{");
            fake = await server.WaitForSocketAsync(TestTimeouts.Default);
        }

        await RawClient.SendAsync(ws, packet);

        // A close frame without a status code, as a real server sends (protocol.md §2.5): browsers report 1005, .NET's
        // WebSocket reports an empty close as 1000 (NormalClosure).
        Assert.Equal("close:1000", await RawClient.ReceiveAsync(ws));
        if (fake is not null)
        {
            await fake.Closed.WaitAsync(TestTimeouts.Default);
            Assert.False(fake.IsConnected);
        }

        Assert.Empty(server.Sockets);
    }
}
