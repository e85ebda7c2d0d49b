using System.Globalization;

namespace Metering.Query.Benchmarks;

/// <summary>
/// The query service's ClickHouse client time (<c>db.client.operation.duration</c>, one observation per attempt) from its
/// Prometheus text on <c>/metrics</c>: seconds and requests per operation (SELECT, INSERT, …), summed over label sets.
/// </summary>
internal sealed class ServiceMetrics
{
    private const string Histogram = "db_client_operation_duration_seconds";
    private const string Label = "db_operation_name=\"";

    private readonly Dictionary<string, (double Seconds, long Count)> _operations;

    private ServiceMetrics(Dictionary<string, (double Seconds, long Count)> operations)
    {
        _operations = operations;
    }

    public static async Task<ServiceMetrics> ScrapeAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken);
        var operations = new Dictionary<string, (double Seconds, long Count)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var sum = line.StartsWith(Histogram + "_sum{", StringComparison.Ordinal);
            if (!sum && !line.StartsWith(Histogram + "_count{", StringComparison.Ordinal))
            {
                continue;
            }

            var at = line.IndexOf(Label, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            at += Label.Length;
            var operation = line[at..line.IndexOf('"', at)];
            // name{labels} value [timestamp]
            var value = double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            var (seconds, count) = operations.GetValueOrDefault(operation);
            operations[operation] = sum ? (seconds + value, count) : (seconds, count + (long)value);
        }

        return new ServiceMetrics(operations);
    }

    /// <summary>What happened between <paramref name="before"/> and this scrape, per <paramref name="requests"/> HTTP requests.</summary>
    public string Since(ServiceMetrics before, int requests)
    {
        var figures = new List<string>();
        foreach (var (operation, (seconds, count)) in _operations.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var (earlierSeconds, earlierCount) = before._operations.GetValueOrDefault(operation);
            var n = count - earlierCount;
            if (n > 0)
            {
                var milliseconds = (seconds - earlierSeconds) * 1000;
                figures.Add($"{operation} {n / (double)requests:F1} a request, {milliseconds / requests:F1} ms a request "
                    + $"({milliseconds / n:F1} ms each)");
            }
        }

        return figures.Count == 0 ? "no ClickHouse requests" : string.Join("; ", figures);
    }
}
