using System;

// Shared source (src/Shared), compiled into each assembly that needs it as its own internal type, in a namespace of
// that assembly: no assembly sees another's internals, and a test assembly that sees all three finds no duplicate name.
#if SAILSOCKET_ENGINE
namespace SailSocket.Engine;
#elif SAILSOCKET_SOCKETIO
namespace SailSocket.SocketIo.Internal;
#elif SAILSOCKET_SAILS
namespace SailSocket.Internal;
#else
#error Define the assembly's SAILSOCKET_* constant (src/*/*.csproj).
#endif

/// <summary>Refuses header names and values that could split or smuggle an HTTP request.</summary>
internal static class HeaderValidation
{
    /// <summary>Throws when a header name is not an HTTP token or a value holds CR, LF, NUL or non-ASCII characters.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The header value.</param>
    /// <exception cref="ArgumentException">The name or value is not allowed. The message never repeats the value.</exception>
    public static void ThrowIfInvalid(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in name)
        {
            if (c <= ' ' || c >= 0x7F || "\"(),/:;<=>?@[\\]{}".Contains(c, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The header name '{name}' is not a valid HTTP token.", nameof(name));
            }
        }

        foreach (var c in value)
        {
            if (c is '\r' or '\n' or '\0' || c >= 0x7F)
            {
                // The value itself may be a credential: never echo it.
                throw new ArgumentException($"The value of header '{name}' contains CR, LF, NUL or a non-ASCII character.", nameof(value));
            }
        }
    }
}
