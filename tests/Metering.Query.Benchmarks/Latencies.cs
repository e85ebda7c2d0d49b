namespace Metering.Query.Benchmarks;

/// <summary>The durations of a series of requests, in milliseconds; percentiles by the nearest-rank method.</summary>
internal sealed class Latencies
{
    private readonly List<double> _milliseconds = [];

    public int Count => _milliseconds.Count;

    public double P50 => Percentile(50);

    public double P99 => Percentile(99);

    public void Add(TimeSpan elapsed) => _milliseconds.Add(elapsed.TotalMilliseconds);

    /// <summary>The smallest duration that at least <paramref name="percent"/> % of the requests did not exceed; NaN without any.</summary>
    public double Percentile(double percent)
    {
        if (_milliseconds.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _milliseconds.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    public override string ToString() => Count == 0
        ? "no requests"
        : $"p50 {P50:F1} ms, p90 {Percentile(90):F1} ms, p99 {P99:F1} ms (min {_milliseconds.Min():F1}, mean {_milliseconds.Average():F1}, "
            + $"max {_milliseconds.Max():F1}) over {Count} requests";
}
