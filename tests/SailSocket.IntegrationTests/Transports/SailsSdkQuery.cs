using SailSocket.Protocol;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>The SDK metadata a Sails handshake needs (protocol.md §5.6), for tests that drive SocketIoClient directly.</summary>
internal static class SailsSdkQuery
{
    public static readonly KeyValuePair<string, string>[] Pairs =
    [
        new("__sails_io_sdk_version", SailsSdkInfo.Version),
        new("__sails_io_sdk_platform", SailsSdkInfo.Platform),
        new("__sails_io_sdk_language", SailsSdkInfo.Language),
    ];
}
