using System.Globalization;

namespace Metering.Pipeline.Benchmarks;

/// <summary>The aggregator's ClickHouse client time from its <c>/metrics</c>: seconds and attempts per operation.</summary>
internal static class AggregatorMetrics
{
    private const string Histogram = "db_client_operation_duration_seconds";
    private const string OperationLabel = "db_operation_name=\"";

    public static async Task<IReadOnlyDictionary<string, (double Seconds, long Count)>> ClickHouseTimeAsync(
        string baseUrl, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync(new Uri(baseUrl + "/metrics"), cancellationToken);
        var totals = new SortedDictionary<string, (double Seconds, long Count)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var sum = line.StartsWith(Histogram + "_sum{", StringComparison.Ordinal);
            if (!sum && !line.StartsWith(Histogram + "_count{", StringComparison.Ordinal))
            {
                continue;
            }

            var at = line.IndexOf(OperationLabel, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            at += OperationLabel.Length;
            var operation = line[at..line.IndexOf('"', at)];
            var value = double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            var (seconds, count) = totals.GetValueOrDefault(operation);
            totals[operation] = sum ? (seconds + value, count) : (seconds, count + (long)value);
        }

        return totals;
    }
}
