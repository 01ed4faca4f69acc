namespace SailSocket.Protocol;

/// <summary>The SDK metadata every Sails handshake carries (docs/protocol.md §5.6).</summary>
public static class SailsSdkInfo
{
    /// <summary>
    /// The sails.io.js protocol version we speak, sent as <c>__sails_io_sdk_version</c>. It must be valid semver and at
    /// least 0.11.0, or every request fails (and a non-semver value crashes the server), so it names the sails.io.js
    /// release whose wire behaviour SailSocket reproduces rather than SailSocket's own version.
    /// </summary>
    public const string Version = "1.2.1";

    /// <summary>Sent as <c>__sails_io_sdk_platform</c> (free text; the server only logs it).</summary>
    public const string Platform = "dotnet";

    /// <summary>Sent as <c>__sails_io_sdk_language</c> (free text; the server only logs it).</summary>
    public const string Language = "csharp";
}
