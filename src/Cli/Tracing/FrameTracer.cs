using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Text;
using SailSocket.Engine.Diagnostics;

namespace SailSocket.Cli.Tracing;

/// <summary>
/// --trace: writes each Engine.IO packet sent (<c>&gt;&gt;</c>) or received (<c>&lt;&lt;</c>) as one timestamped line,
/// with the credentials given on the command line and the cookies the server set replaced by <c>[redacted]</c>
/// (the library's one rule, src/Shared/SecretRedaction.cs).
/// </summary>
internal sealed class FrameTracer : EngineFrameObserver
{
    /// <summary>Longer text frames are cut (and say how long they were): a trace line stays readable.</summary>
    private const int MaxChars = 2048;

    private readonly TextWriter _writer;
    private readonly SecretSet _given;
    private readonly object _lock = new();
    private CookieContainer? _cookies;
    private int _cookieCount;
    private SecretSet _secrets;

    public FrameTracer(TextWriter writer, SecretSet secrets)
    {
        _writer = writer;
        _given = secrets;
        _secrets = secrets;
    }

    /// <summary>Redacts the values of the cookies the server sets in <paramref name="cookies"/> too (a session id).</summary>
    public void WatchCookies(CookieContainer cookies) => _cookies = cookies;

    public override void OnSent(ReadOnlySpan<byte> frame, bool isBinary) => Write(">>", frame, isBinary);

    public override void OnReceived(ReadOnlySpan<byte> frame, bool isBinary) => Write("<<", frame, isBinary);

    private void Write(string direction, ReadOnlySpan<byte> frame, bool isBinary)
    {
        var time = DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        string shown;
        if (isBinary)
        {
            shown = string.Create(CultureInfo.InvariantCulture, $"<binary, {frame.Length} bytes>");
        }
        else
        {
            var truncated = frame.Length > MaxChars;
            var text = Encoding.UTF8.GetString(truncated ? frame[..MaxChars] : frame);
            text = Secrets().Redact(text, truncated);
            text = Escape(text);
            shown = truncated ? string.Create(CultureInfo.InvariantCulture, $"{text}… ({frame.Length} bytes)") : text;
        }

        lock (_lock)
        {
            _writer.WriteLine($"{time} {direction} {shown}");
            _writer.Flush();
        }
    }

    private SecretSet Secrets()
    {
        var jar = _cookies;
        if (jar is not null && jar.Count != System.Threading.Volatile.Read(ref _cookieCount))
        {
            lock (_lock)
            {
                _cookieCount = jar.Count;
                _secrets = _given.With(null).AddCookies(jar);
            }
        }

        return _secrets;
    }

    /// <summary>Control characters would move the cursor or forge trace lines: they are shown escaped.</summary>
    private static string Escape(string text)
    {
        var needs = false;
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
