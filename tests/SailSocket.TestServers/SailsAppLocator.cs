using System;
using System.IO;

namespace SailSocket.TestServers;

/// <summary>Finds the bundled Node apps (tests/sails-app, the socket.io fixtures) from wherever the test or demo binary runs.</summary>
public static class SailsAppLocator
{
    /// <summary>The app folder: the one holding app.js and package-lock.json.</summary>
    /// <returns>The absolute path.</returns>
    /// <exception cref="DirectoryNotFoundException">No tests/sails-app above the current binary.</exception>
    public static string FindAppDirectory() => FindAppDirectory("sails-app", "app.js");

    /// <summary>A Node app folder under <c>tests/</c>: the one holding <paramref name="entryFile"/> and package-lock.json.</summary>
    /// <param name="appFolder">The folder name under <c>tests/</c>, such as <c>socketio-app</c>.</param>
    /// <param name="entryFile">The script Node runs.</param>
    /// <returns>The absolute path.</returns>
    /// <exception cref="DirectoryNotFoundException">No such folder above the current binary.</exception>
    public static string FindAppDirectory(string appFolder, string entryFile)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", appFolder);
            if (File.Exists(Path.Combine(candidate, entryFile)) && File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/{appFolder} was not found above {AppContext.BaseDirectory}.");
    }
}
