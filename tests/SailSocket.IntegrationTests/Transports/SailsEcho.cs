using System.Text.Json;
using SailSocket.SocketIo;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>A Sails <c>GET /echo</c> sent as a raw Socket.IO emit, for tests that drive <see cref="SocketIoClient"/> directly.</summary>
internal static class SailsEcho
{
    /// <summary>Sends the request and returns the JWR's status code (bounded).</summary>
    public static async Task<int> StatusAsync(SocketIoClient client)
    {
        var ack = await client.EmitWithAckAsync(
            "get",
            """{"method":"get","headers":{},"data":{},"url":"/echo"}""",
            static (w, json) => w.WriteRawValue(json),
            null,
            TimeSpan.FromSeconds(10),
            Bound.Seconds(15));
        using var document = JsonDocument.Parse(ack.Arguments);
        return document.RootElement[0].GetProperty("statusCode").GetInt32();
    }
}
