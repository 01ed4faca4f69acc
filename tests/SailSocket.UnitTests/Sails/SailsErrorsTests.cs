using System;
using System.Net.Http;
using System.Text.Json;
using SailSocket.Engine;
using SailSocket.Errors;
using SailSocket.SocketIo;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// <see cref="SailsErrors"/>, the one map from lower-layer failures to the Sails exceptions: connect failures, request
/// failures and disconnect reasons, each as documented, never naming a credential from the URL.
/// </summary>
public sealed class SailsErrorsTests
{
    private static readonly Uri Server = new("http://user:hunter2@example.test:1337/app?token=s3cret");
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(7.5);

    [Fact]
    public void Connect_HandshakeRefused_IsSailsConnectionException_WithStatusAndTheServersReason()
    {
        var refused = new EngineConnectionException(EngineConnectionError.HandshakeRefused, "refused", httpStatusCode: 403) { HttpResponseBody = "  Not allowed by beforeConnect \n" };

        var ex = Assert.IsType<SailsConnectionException>(SailsErrors.Connect(refused, Server, ConnectTimeout));

        Assert.Same(refused, ex.InnerException);
        Assert.Equal(403, ex.HttpStatusCode);
        Assert.Equal("Not allowed by beforeConnect", ex.ServerMessage);
        Assert.Contains("HTTP 403: Not allowed by beforeConnect", ex.Message, StringComparison.Ordinal);
        Assert.Contains("http://example.test:1337", ex.Message, StringComparison.Ordinal);
        AssertNoSecrets(ex.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Connect_HandshakeRefusedWithoutABody_HasNoServerMessage(string? body)
    {
        var refused = new EngineConnectionException(EngineConnectionError.HandshakeRefused, "refused", httpStatusCode: 401) { HttpResponseBody = body };

        var ex = Assert.IsType<SailsConnectionException>(SailsErrors.Connect(refused, Server, ConnectTimeout));

        Assert.Null(ex.ServerMessage);
        Assert.Equal(401, ex.HttpStatusCode);
        Assert.Contains("HTTP 401.", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EngineConnectionError.Unreachable)]
    [InlineData(EngineConnectionError.NotEngineIo)]
    [InlineData(EngineConnectionError.TransportError)]
    [InlineData(EngineConnectionError.ClosedByServer)]
    [InlineData(EngineConnectionError.ProtocolError)]
    public void Connect_OtherEngineConnectionErrors_AreSailsConnectionException(EngineConnectionError error)
    {
        var engine = new EngineConnectionException(error, "engine says no", httpStatusCode: 502);

        var ex = Assert.IsType<SailsConnectionException>(SailsErrors.Connect(engine, Server, ConnectTimeout));

        Assert.Same(engine, ex.InnerException);
        Assert.Equal(502, ex.HttpStatusCode);
        Assert.Contains("engine says no", ex.Message, StringComparison.Ordinal);
        AssertNoSecrets(ex.Message);
    }

    [Fact]
    public void Connect_ASailsConnectionException_IsKept()
    {
        var own = new SailsConnectionException("from ConfigureHandshake");

        Assert.Same(own, SailsErrors.Connect(own, Server, ConnectTimeout));
    }

    [Fact]
    public void Connect_EngineOrSocketIoTimeout_IsSailsTimeoutException_NamingConnectTimeout()
    {
        foreach (Exception timeout in new Exception[] { new EngineTimeoutException("no open packet"), new SocketIoTimeoutException("no CONNECT answer") })
        {
            var ex = Assert.IsType<SailsTimeoutException>(SailsErrors.Connect(timeout, Server, ConnectTimeout));

            Assert.Same(timeout, ex.InnerException);
            Assert.Contains("7.5 s (ConnectTimeout)", ex.Message, StringComparison.Ordinal);
            AssertNoSecrets(ex.Message);
        }
    }

    [Fact]
    public void Connect_SocketIoConnectErrorOrDisconnect_IsSailsConnectionException()
    {
        foreach (Exception error in new Exception[]
        {
            new SocketIoConnectException("/", "Not authorized"),
            new SocketIoDisconnectedException(SocketIoDisconnectReason.TransportClose, "closed during the handshake"),
        })
        {
            var ex = Assert.IsType<SailsConnectionException>(SailsErrors.Connect(error, Server, ConnectTimeout));

            Assert.Same(error, ex.InnerException);
            Assert.Contains(error.Message, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Connect_HttpRequestException_IsTheCookieRoutesSailsConnectionException()
    {
        var http = new HttpRequestException("connection refused");

        var ex = Assert.IsType<SailsConnectionException>(SailsErrors.Connect(http, Server, ConnectTimeout));

        Assert.Same(http, ex.InnerException);
        Assert.Contains("session cookie", ex.Message, StringComparison.Ordinal);
        AssertNoSecrets(ex.Message);
    }

    [Fact]
    public void Connect_AnythingElse_IsPassedThrough()
    {
        var bug = new InvalidOperationException("a bug");
        var cancelled = new OperationCanceledException();
        var argument = new ArgumentException("bad header");

        Assert.Same(bug, SailsErrors.Connect(bug, Server, ConnectTimeout));
        Assert.Same(cancelled, SailsErrors.Connect(cancelled, Server, ConnectTimeout));
        Assert.Same(argument, SailsErrors.Connect(argument, Server, ConnectTimeout));
    }

    [Fact]
    public void Request_Timeout_IsSailsTimeoutException_WithTheTimeout()
    {
        var timeout = new SocketIoTimeoutException("no ack");

        var ex = Assert.IsType<SailsTimeoutException>(SailsErrors.Request(timeout, "get", "/user?token=s3cret", TimeSpan.FromMilliseconds(1500)));

        Assert.Same(timeout, ex.InnerException);
        Assert.Contains("GET /user", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1500 ms", ex.Message, StringComparison.Ordinal);
        AssertNoSecrets(ex.Message);
    }

    [Fact]
    public void Request_DisconnectedAfterSend_IsSailsRequestInterruptedException()
    {
        var lost = new SocketIoDisconnectedException(SocketIoDisconnectReason.TransportClose, "gone", afterSend: true);

        var ex = Assert.IsType<SailsRequestInterruptedException>(SailsErrors.Request(lost, "post", "/pay", TimeSpan.FromSeconds(1)));

        Assert.Same(lost, ex.InnerException);
        Assert.True(ex.RequestMayHaveBeenProcessed);
        Assert.Contains("POST /pay", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_DisconnectedBeforeSend_IsAPlainSailsConnectionException_NotProcessed()
    {
        var lost = new SocketIoDisconnectedException(SocketIoDisconnectReason.TransportClose, "gone", afterSend: false);

        var ex = SailsErrors.Request(lost, "post", "/pay?card=s3cret", TimeSpan.FromSeconds(1));

        var connection = Assert.IsType<SailsConnectionException>(ex);
        Assert.False(connection.RequestMayHaveBeenProcessed);
        Assert.Same(lost, connection.InnerException);
        Assert.Contains("was not sent", connection.Message, StringComparison.Ordinal);
        AssertNoSecrets(connection.Message);
    }

    [Fact]
    public void Request_AckLimit_IsSailsLimitExceeded_NamingMaxPendingRequests()
    {
        var limit = new SocketIoAckLimitException(42);

        var ex = Assert.IsType<SailsLimitExceededException>(SailsErrors.Request(limit, "get", "/x", TimeSpan.FromSeconds(1)));

        Assert.Equal(nameof(SailsClientOptions.MaxPendingRequests), ex.OptionName);
        Assert.Equal(42, ex.Limit);
        Assert.Same(limit, ex.InnerException);
    }

    [Fact]
    public void Request_MalformedAck_IsSailsProtocolException()
    {
        var malformed = new SocketIoProtocolException("not JSON", 3);

        var ex = Assert.IsType<SailsProtocolException>(SailsErrors.Request(malformed, "get", "/x", TimeSpan.FromSeconds(1)));

        Assert.Same(malformed, ex.InnerException);
    }

    [Fact]
    public void Request_TooLargeOrNotSerialisable_IsArgumentException()
    {
        foreach (Exception error in new Exception[] { new SocketIoMessageTooLargeException(2_000_000, 1_000_000, new EngineMessageTooLargeException(2_000_000, 1_000_000)), new JsonException("cycle"), new NotSupportedException("no converter") })
        {
            var ex = Assert.IsType<ArgumentException>(SailsErrors.Request(error, "post", "/x", TimeSpan.FromSeconds(1)));

            Assert.Same(error, ex.InnerException);
            Assert.Contains("POST /x", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Request_AnythingElse_IsNotMapped()
    {
        Assert.Null(SailsErrors.Request(new OperationCanceledException(), "get", "/x", TimeSpan.FromSeconds(1)));
        Assert.Null(SailsErrors.Request(new InvalidOperationException(), "get", "/x", TimeSpan.FromSeconds(1)));
        Assert.Null(SailsErrors.Request(new SailsTimeoutException("already mapped"), "get", "/x", TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData(SocketIoDisconnectReason.TransportClose, true)]
    [InlineData(SocketIoDisconnectReason.PingTimeout, true)]
    [InlineData(SocketIoDisconnectReason.ProtocolError, true)]
    [InlineData(SocketIoDisconnectReason.ServerDisconnect, false)]
    [InlineData(SocketIoDisconnectReason.ClientDisconnect, false)]
    public void IsReconnectable_OnlyLossesThatWereNotDeliberate(SocketIoDisconnectReason reason, bool reconnect)
    {
        Assert.Equal(reconnect, SailsErrors.IsReconnectable(new SocketIoDisconnectedException(reason, "x")));
    }

    [Theory]
    [InlineData(SocketIoDisconnectReason.ClientDisconnect, SailsDisconnectReason.ClientDisconnect)]
    [InlineData(SocketIoDisconnectReason.ServerDisconnect, SailsDisconnectReason.ServerDisconnect)]
    [InlineData(SocketIoDisconnectReason.TransportClose, SailsDisconnectReason.TransportClose)]
    [InlineData(SocketIoDisconnectReason.PingTimeout, SailsDisconnectReason.PingTimeout)]
    [InlineData(SocketIoDisconnectReason.ProtocolError, SailsDisconnectReason.ProtocolError)]
    public void Disconnect_MapsTheSocketIoReasonOneToOne(SocketIoDisconnectReason reason, SailsDisconnectReason expected)
    {
        // The Socket.IO layer already folded the Engine cause into its reason: the Sails layer never looks at inner exceptions.
        Assert.Equal(expected, SailsErrors.Disconnect(new SocketIoDisconnectedException(reason, "x", new EngineConnectionException(EngineConnectionError.TransportError, "cause"))));
    }

    [Fact]
    public void Disconnect_CoversEveryReason()
    {
        foreach (var reason in Enum.GetValues<SocketIoDisconnectReason>())
        {
            Assert.True(Enum.IsDefined(SailsErrors.Disconnect(new SocketIoDisconnectedException(reason, "x"))));
        }

        Assert.Equal(Enum.GetValues<SocketIoDisconnectReason>().Length, Enum.GetValues<SailsDisconnectReason>().Length);
    }

    private static void AssertNoSecrets(string message)
    {
        Assert.DoesNotContain("s3cret", message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", message, StringComparison.Ordinal);
    }
}
