namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>One registered client: its name and the configuration path its option names are reported under (<c>Sails</c>).</summary>
internal sealed record SailsClientRegistration(string Name, string ConfigurationPath);
