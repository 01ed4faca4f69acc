using System;
using System.Globalization;

namespace SailSocket.Cli;

/// <summary>Reads durations such as <c>500ms</c>, <c>10s</c>, <c>2m</c> or a plain number of seconds.</summary>
internal static class DurationParser
{
    /// <exception cref="UsageException">Not a positive duration.</exception>
    public static TimeSpan Parse(string text, string option)
    {
        var span = text.AsSpan().Trim();
        double factor = 1;
        if (span.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            factor = 0.001;
            span = span[..^2];
        }
        else if (span.EndsWith('s') || span.EndsWith('S'))
        {
            span = span[..^1];
        }
        else if (span.EndsWith('m') || span.EndsWith('M'))
        {
            factor = 60;
            span = span[..^1];
        }

        if (!double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value <= 0 || value * factor > 86_400)
        {
            throw new UsageException($"{option} must be a positive duration up to a day, such as 500ms, 10s or 2m.");
        }

        return TimeSpan.FromSeconds(value * factor);
    }
}
