using System;
using System.IO;
using System.Text;
using System.Text.Json;

namespace SailSocket.Cli.Output;

/// <summary>Prints a JSON body: indented and coloured on a terminal, the bytes as received otherwise.</summary>
internal static class JsonPrinter
{
    private const string Key = "\u001b[34m";
    private const string Text = "\u001b[32m";
    private const string Number = "\u001b[36m";
    private const string Literal = "\u001b[33m";
    private const string Reset = "\u001b[0m";

    public static void Print(TextWriter writer, ReadOnlySpan<byte> json, bool terminal)
    {
        if (!terminal)
        {
            writer.WriteLine(Encoding.UTF8.GetString(json));
            return;
        }

        try
        {
            writer.WriteLine(Pretty(json));
        }
        catch (JsonException)
        {
            writer.WriteLine(Encoding.UTF8.GetString(json));
        }
    }

    /// <summary>The document indented by two spaces with ANSI colours: keys blue, strings green, numbers cyan, literals yellow.</summary>
    private static string Pretty(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        var builder = new StringBuilder(json.Length * 2);
        var depth = 0;
        var first = true;
        var afterName = false;
        while (reader.Read())
        {
            var type = reader.TokenType;
            if (type is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                depth--;
                if (!first)
                {
                    NewLine(builder, depth);
                }

                builder.Append(type == JsonTokenType.EndObject ? '}' : ']');
                first = false;
                continue;
            }

            if (!afterName)
            {
                if (depth > 0)
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    NewLine(builder, depth);
                }
            }

            afterName = false;
            first = false;
            switch (type)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    builder.Append(type == JsonTokenType.StartObject ? '{' : '[');
                    depth++;
                    first = true;
                    break;
                case JsonTokenType.PropertyName:
                    builder.Append(Key).Append(Quote(reader.GetString()!)).Append(Reset).Append(": ");
                    afterName = true;
                    break;
                case JsonTokenType.String:
                    builder.Append(Text).Append(Quote(reader.GetString()!)).Append(Reset);
                    break;
                case JsonTokenType.Number:
                    builder.Append(Number).Append(Encoding.UTF8.GetString(reader.ValueSpan)).Append(Reset);
                    break;
                default:
                    builder.Append(Literal).Append(Encoding.UTF8.GetString(reader.ValueSpan)).Append(Reset);
                    break;
            }
        }

        return builder.ToString();
    }

    private static void NewLine(StringBuilder builder, int depth) => builder.Append('\n').Append(' ', depth * 2);

    /// <summary>A JSON string literal; control characters escaped, so a body cannot drive the terminal.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
