using System;
using System.Collections.Generic;
using SailSocket.Internal;

namespace SailSocket.Protocol;

/// <summary>Checks made before anything is sent, so that the server never sees an envelope it would choke on (docs/protocol.md §5.3).</summary>
internal static class SailsRequestValidation
{
    public static string CheckUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Length == 0 || url[0] != '/')
        {
            throw new ArgumentException($"A Sails request URL is a path on the server starting with '/', like '/user?id=1'; got '{Internal.SafeDescription.Path(url)}'.", nameof(url));
        }

        foreach (var c in url)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException("A Sails request URL cannot contain control characters.", nameof(url));
            }
        }

        return url;
    }

    /// <summary>
    /// Refuses an SDK version the server would choke on: Sails parses <c>__sails_io_sdk_version</c> with semver at the first
    /// request, and a value that is not semver (<c>abc</c>) crashes the whole server process (docs/protocol.md §5.3, §5.6).
    /// </summary>
    public static void CheckSdkVersion(IEnumerable<KeyValuePair<string, string>> pairs, string paramName)
    {
        foreach (var (name, value) in pairs)
        {
            if (string.Equals(name, "__sails_io_sdk_version", StringComparison.OrdinalIgnoreCase) && !IsSemVer(value))
            {
                throw new ArgumentException($"__sails_io_sdk_version must be a semver version such as 1.2.1; '{value}' would crash the Sails server.", paramName);
            }
        }
    }

    /// <summary>major.minor.patch, optionally followed by a pre-release or build suffix (Sails keeps only the core).</summary>
    private static bool IsSemVer(string value)
    {
        var suffix = value.AsSpan().IndexOfAny('-', '+');
        var core = suffix < 0 ? value : value[..suffix];
        if (suffix >= 0)
        {
            foreach (var c in value.AsSpan(suffix + 1))
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '+'))
                {
                    return false;
                }
            }

            if (suffix == value.Length - 1)
            {
                return false;
            }
        }

        var parts = core.Split('.');
        return parts.Length == 3 && Array.TrueForAll(parts, part => part.Length > 0 && part.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0);
    }

    public static void CheckHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        foreach (var (name, value) in headers)
        {
            HeaderValidation.ThrowIfInvalid(name, value);
        }
    }
}
