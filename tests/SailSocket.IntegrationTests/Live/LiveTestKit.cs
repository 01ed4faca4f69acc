using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SailSocket.Live;
using SailSocket.Live.Internal;

namespace SailSocket.IntegrationTests.Live;

[JsonSerializable(typeof(JsonElement))]
internal sealed partial class LiveJson : JsonSerializerContext;

/// <summary>What the live-collection tests share: raw blueprint calls, a fresh-find comparison, a change-stream model.</summary>
internal static class LiveTestKit
{
    public static async Task<JsonElement> SendAsync(SailsSocket socket, string method, string url, string? body = null, double seconds = 20)
    {
        var request = new SailsRequest(method, url);
        if (body is not null)
        {
            request.Data = Encoding.UTF8.GetBytes(body);
        }

        var response = (await socket.RequestAsync(request, Bound.Seconds(seconds))).EnsureSuccessStatusCode();
        return response.HasBody ? response.ReadBodyAsElement() : default;
    }

    public static int Id(JsonElement record) => record.GetProperty("id").GetInt32();

    /// <summary>Waits until the collection holds what a fresh find over <paramref name="reader"/> returns, or fails with the difference.</summary>
    public static async Task AssertConvergesAsync(LiveCollection<JsonElement> collection, SailsSocket reader, double seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        string? difference;
        while ((difference = await DifferenceAsync(collection, reader)) is not null)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The live collection did not converge within {seconds} s: {difference}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The first difference between the collection and a fresh find (same URL), or null when they are equal record for record.</summary>
    public static async Task<string?> DifferenceAsync(LiveCollection<JsonElement> collection, SailsSocket reader)
    {
        var spec = new LiveQuerySpec(collection.Query, new LiveCollectionOptions().MaxRecords);
        var fresh = (await SendAsync(reader, "get", spec.DataUrl)).EnumerateArray().ToList();
        var snapshot = collection.Snapshot;
        var keys = new HashSet<string>();
        for (var i = 0; i < snapshot.Count; i++)
        {
            if (!keys.Add(snapshot.GetKey(i)))
            {
                return $"duplicate record {snapshot.GetKey(i)}";
            }
        }

        if (fresh.Count != snapshot.Count)
        {
            return $"{snapshot.Count} records held, {fresh.Count} found [{string.Join(",", snapshot.Select(Id))}] vs [{string.Join(",", fresh.Select(Id))}]";
        }

        for (var i = 0; i < fresh.Count; i++)
        {
            if (!JsonRecords.DeepEquals(fresh[i], snapshot.GetRecord(i)))
            {
                return $"at {i}: held {snapshot.GetRecord(i).GetRawText()}, found {fresh[i].GetRawText()}";
            }
        }

        return null;
    }
}

/// <summary>
/// A consumer of a change stream that rebuilds the collection from the changes alone, and records every change that
/// does not fit (an add of a record it has, an update or removal of one it lacks or holds otherwise).
/// </summary>
internal sealed class ChangeModel
{
    private readonly Dictionary<string, JsonElement> _records = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly Task _reading;
    private int _changes;
    private int _resets;

    public ChangeModel(LiveCollection<JsonElement> collection, CancellationToken cancellationToken)
    {
        var stream = collection.ReadChangesAsync(cancellationToken); // registered before the snapshot is read: nothing falls between
        var snapshot = collection.Snapshot;
        var version = snapshot.Version;
        for (var i = 0; i < snapshot.Count; i++)
        {
            _records[snapshot.GetKey(i)] = snapshot.GetRecord(i);
        }

        _reading = Task.Run(async () =>
        {
            await foreach (var change in stream)
            {
                if (change.Snapshot.Version <= version && change.Kind != LiveChangeKind.Reset)
                {
                    continue; // already in the snapshot the model started from
                }

                Apply(change);
            }
        }, CancellationToken.None);
    }

    public IReadOnlyCollection<string> Violations => _violations;

    public int Changes => Volatile.Read(ref _changes);

    public int Resets => Volatile.Read(ref _resets);

    public Task Completion => _reading;

    public Dictionary<string, JsonElement> Records
    {
        get
        {
            lock (_records)
            {
                return new Dictionary<string, JsonElement>(_records);
            }
        }
    }

    private void Apply(LiveChange<JsonElement> change)
    {
        Interlocked.Increment(ref _changes);
        lock (_records)
        {
            switch (change.Kind)
            {
                case LiveChangeKind.Added:
                    if (!_records.TryAdd(change.Key, change.NewItem))
                    {
                        _violations.Enqueue($"added {change.Key} twice");
                    }

                    break;
                case LiveChangeKind.Updated:
                    if (!_records.TryGetValue(change.Key, out var old) || !JsonRecords.DeepEquals(old, change.OldItem))
                    {
                        _violations.Enqueue($"updated {change.Key} from a state the stream never reported");
                    }

                    _records[change.Key] = change.NewItem;
                    break;
                case LiveChangeKind.Removed:
                    if (!_records.Remove(change.Key, out var removed) || !JsonRecords.DeepEquals(removed, change.OldItem))
                    {
                        _violations.Enqueue($"removed {change.Key}, which the stream did not hold so");
                    }

                    break;
                case LiveChangeKind.Reset:
                    Interlocked.Increment(ref _resets);
                    _records.Clear();
                    for (var i = 0; i < change.Snapshot.Count; i++)
                    {
                        _records[change.Snapshot.GetKey(i)] = change.Snapshot.GetRecord(i);
                    }

                    break;
            }
        }
    }

    /// <summary>Fails unless the model rebuilt from the changes equals the collection's snapshot and no change misfit.</summary>
    public void AssertMatches(LiveSnapshot<JsonElement> snapshot)
    {
        Assert.Empty(_violations);
        var records = Records;
        Assert.Equal(snapshot.Count, records.Count);
        for (var i = 0; i < snapshot.Count; i++)
        {
            Assert.True(records.TryGetValue(snapshot.GetKey(i), out var record), $"the stream never reported {snapshot.GetKey(i)}");
            Assert.True(JsonRecords.DeepEquals(record, snapshot.GetRecord(i)), $"the stream holds {snapshot.GetKey(i)} otherwise");
        }
    }
}
