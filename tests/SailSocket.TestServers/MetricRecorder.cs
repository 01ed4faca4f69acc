using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace SailSocket.TestServers;

/// <summary>
/// Listens to every instrument of the meters named <c>SailSocket</c> (the Sails and the Engine layer each create one of
/// that name) and keeps what they record. Meters are process-wide: use it in a test collection that runs alone.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();

    public MetricRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "SailSocket")
            {
                listener.EnableMeasurementEvents(instrument);
                lock (Instruments)
                {
                    Instruments.Add(instrument);
                }
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The instruments published so far.</summary>
    public List<Instrument> Instruments { get; } = [];

    /// <summary>Everything recorded by the instrument called <paramref name="name"/>.</summary>
    public IReadOnlyList<RecordedMeasurement> Of(string name) => [.. _measurements.Where(m => m.Instrument == name)];

    /// <summary>Every measurement so far.</summary>
    public IReadOnlyList<RecordedMeasurement> All => [.. _measurements];

    /// <summary>The sum of what <paramref name="name"/> recorded, optionally only the measurements with <paramref name="tags"/>.</summary>
    public double Sum(string name, params (string Key, object? Value)[] tags) =>
        Of(name).Where(m => tags.All(t => Equals(m.Tag(t.Key), t.Value))).Sum(m => m.Value);

    /// <summary>Reads an observable instrument now and returns the sum of what it reported.</summary>
    public double Observe(string name)
    {
        var before = _measurements.Count;
        _listener.RecordObservableInstruments();
        return _measurements.Skip(before).Where(m => m.Instrument == name).Sum(m => m.Value);
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, value, tags.ToArray()));
}

/// <summary>One measurement: the instrument's name, the value and the tags.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)
{
    public object? Tag(string key) => Tags.FirstOrDefault(t => t.Key == key).Value;

    public override string ToString() => $"{Instrument} {Value} [{string.Join(", ", Tags.Select(t => $"{t.Key}={t.Value}"))}]";
}
