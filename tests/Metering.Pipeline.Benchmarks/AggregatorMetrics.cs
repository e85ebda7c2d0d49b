using System.Globalization;

namespace Metering.Pipeline.Benchmarks;

/// <summary>Histogram totals from the aggregator's Prometheus text on <c>/metrics</c>, read once at the end of a phase.</summary>
internal sealed class AggregatorMetrics(string text)
{
    /// <summary>The ClickHouse client's time per attempt (<c>db.client.operation.duration</c>).</summary>
    public const string ClickHouseOperations = "db_client_operation_duration_seconds";

    /// <summary>The sink's time per batch, retries included (<c>metering.aggregator.flush.duration</c>).</summary>
    public const string Flushes = "metering_aggregator_flush_duration_seconds";

    /// <summary>The runtime's collections, by <c>gc_heap_generation</c> (<c>dotnet.gc.collections</c>).</summary>
    public const string Collections = "dotnet_gc_collections_total";

    /// <summary>The time the runtime was paused for collections (<c>dotnet.gc.pause.time</c>).</summary>
    public const string PauseTime = "dotnet_gc_pause_time_seconds_total";

    /// <summary>Bytes allocated on the managed heap since the start (<c>dotnet.gc.heap.total_allocated</c>).</summary>
    public const string Allocated = "dotnet_gc_heap_total_allocated_bytes_total";

    /// <summary>The time the JIT compiler took (<c>dotnet.jit.compilation.time</c>).</summary>
    public const string JitTime = "dotnet_jit_compilation_time_seconds_total";

    public static async Task<AggregatorMetrics> ScrapeAsync(string baseUrl, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return new AggregatorMetrics(await http.GetStringAsync(new Uri(baseUrl + "/metrics"), cancellationToken));
    }

    /// <summary>The values of <paramref name="counter"/>, per value of <paramref name="label"/> ("" without one).</summary>
    public IReadOnlyDictionary<string, double> Counter(string counter, string? label = null) =>
        Samples(counter, label).GroupBy(s => s.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);

    /// <summary>Seconds and observations of <paramref name="histogram"/>, per value of <paramref name="label"/> ("" without one).</summary>
    public IReadOnlyDictionary<string, (double Seconds, long Count)> Histogram(string histogram, string? label = null)
    {
        var totals = new SortedDictionary<string, (double Seconds, long Count)>(StringComparer.Ordinal);
        foreach (var (series, key, value) in Samples(histogram + "_sum", label).Select(s => (Sum: true, s.Key, s.Value))
            .Concat(Samples(histogram + "_count", label).Select(s => (Sum: false, s.Key, s.Value))))
        {
            var (seconds, count) = totals.GetValueOrDefault(key);
            totals[key] = series ? (seconds + value, count) : (seconds, count + (long)value);
        }

        return totals;
    }

    /// <summary>The samples of the series named <paramref name="series"/>, each with its value of <paramref name="label"/>.</summary>
    private IEnumerable<(string Key, double Value)> Samples(string series, string? label)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(series, StringComparison.Ordinal) || line.Length == series.Length || line[series.Length] is not ('{' or ' '))
            {
                continue;
            }

            var key = "";
            if (label is not null)
            {
                var marker = label + "=\"";
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at < 0)
                {
                    continue;
                }

                at += marker.Length;
                key = line[at..line.IndexOf('"', at)];
            }

            // name{labels} value [timestamp], or name value [timestamp]
            var labelsEnd = line.LastIndexOf('}');
            var rest = labelsEnd >= 0 ? line[(labelsEnd + 1)..] : line[line.IndexOf(' ', StringComparison.Ordinal)..];
            yield return (key, double.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture));
        }
    }
}
