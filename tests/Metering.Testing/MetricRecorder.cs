using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Metering.Testing;

/// <summary>
/// Sums what the instruments named <c>instrument</c> on meter <c>meterName</c> record, in this process
/// (the <c>MetricCollector</c> package is not served here; STYLE.md §8).
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _totals = new(StringComparer.Ordinal);

    public MetricRecorder(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument.Name, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument.Name, value));
        _listener.Start();
    }

    /// <summary>The sum of the measurements of <paramref name="instrument"/> so far.</summary>
    public double Total(string instrument) => _totals.GetValueOrDefault(instrument);

    public void Dispose() => _listener.Dispose();

    private void Add(string instrument, double value) => _totals.AddOrUpdate(instrument, value, (_, total) => total + value);
}
