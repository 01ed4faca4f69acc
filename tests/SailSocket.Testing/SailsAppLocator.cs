using System;
using System.IO;

namespace SailSocket.Testing;

/// <summary>Finds the bundled Sails app (tests/sails-app) from wherever the test or demo binary runs.</summary>
public static class SailsAppLocator
{
    /// <summary>The app folder: the one holding app.js and package-lock.json.</summary>
    /// <returns>The absolute path.</returns>
    /// <exception cref="DirectoryNotFoundException">No tests/sails-app above the current binary.</exception>
    public static string FindAppDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "sails-app");
            if (File.Exists(Path.Combine(candidate, "app.js")) && File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/sails-app was not found above {AppContext.BaseDirectory}.");
    }
}
