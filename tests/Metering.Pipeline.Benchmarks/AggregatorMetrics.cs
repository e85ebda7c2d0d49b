using System.Globalization;

namespace Metering.Pipeline.Benchmarks;

/// <summary>Histogram totals from the aggregator's Prometheus text on <c>/metrics</c>, read once at the end of a phase.</summary>
internal sealed class AggregatorMetrics(string text)
{
    /// <summary>The ClickHouse client's time per attempt (<c>db.client.operation.duration</c>).</summary>
    public const string ClickHouseOperations = "db_client_operation_duration_seconds";

    /// <summary>The sink's time per batch, retries included (<c>metering.aggregator.flush.duration</c>).</summary>
    public const string Flushes = "metering_aggregator_flush_duration_seconds";

    public static async Task<AggregatorMetrics> ScrapeAsync(string baseUrl, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return new AggregatorMetrics(await http.GetStringAsync(new Uri(baseUrl + "/metrics"), cancellationToken));
    }

    /// <summary>Seconds and observations of <paramref name="histogram"/>, per value of <paramref name="label"/> ("" without one).</summary>
    public IReadOnlyDictionary<string, (double Seconds, long Count)> Histogram(string histogram, string? label = null)
    {
        var totals = new SortedDictionary<string, (double Seconds, long Count)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var sum = line.StartsWith(histogram + "_sum", StringComparison.Ordinal);
            if (!sum && !line.StartsWith(histogram + "_count", StringComparison.Ordinal))
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
            var value = double.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            var (seconds, count) = totals.GetValueOrDefault(key);
            totals[key] = sum ? (seconds + value, count) : (seconds, count + (long)value);
        }

        return totals;
    }
}
