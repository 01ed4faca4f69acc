using System.Text.Json;

namespace SailSocket.Live.Internal;

/// <summary>One record of a live collection: its key, the server's JSON (what criteria and sort read) and the typed item.</summary>
internal sealed class LiveEntry<T>(string key, JsonElement json, T item)
{
    public string Key { get; } = key;

    public JsonElement Json { get; } = json;

    public T Item { get; } = item;
}
