using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SailSocket.LoadTool;

/// <summary>
/// <c>--listen-diagnostics</c>: what an OpenTelemetry SDK does to SailSocket, without the SDK — every instrument of the
/// <c>SailSocket</c> meters enabled (measurements summed, as an exporter's aggregation would), every activity of the
/// <c>SailSocket</c> source created with all its data. Measures the cost of observed requests (docs/benchmarks.md).
/// </summary>
internal sealed class DiagnosticsListener : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;
    private long _measurements;
    private long _activitiesStopped;

    public DiagnosticsListener()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "SailSocket")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.Start();
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "SailSocket",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => Interlocked.Increment(ref _activitiesStopped),
        };
        ActivitySource.AddActivityListener(_activities);
    }

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
        Console.Error.WriteLine($"--listen-diagnostics: {Interlocked.Read(ref _measurements)} measurements, {Interlocked.Read(ref _activitiesStopped)} activities");
    }
}
