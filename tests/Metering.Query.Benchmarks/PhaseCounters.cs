using System.Globalization;
using Metering.ClickHouse;

namespace Metering.Query.Benchmarks;

/// <summary>
/// Where a phase's time went, independent of how busy the shared machine is: the CPU time of the query service process
/// (<c>/proc/&lt;pid&gt;/stat</c>), the CPU time of ClickHouse's query threads (<c>UserTimeMicroseconds</c> and
/// <c>SystemTimeMicroseconds</c> of <c>system.events</c>), and the service's ClickHouse client time per operation
/// (<c>db.client.operation.duration</c> on its <c>/metrics</c>, one observation per attempt, summed over label sets).
/// </summary>
internal sealed class PhaseCounters
{
    private const string Histogram = "db_client_operation_duration_seconds";
    private const string Label = "db_operation_name=\"";

    // USER_HZ: the unit of utime and stime in /proc/<pid>/stat; 100 on every Linux architecture .NET runs on.
    private const double ClockTicksPerMillisecond = 0.1;

    private readonly Dictionary<string, (double Seconds, long Count)> _operations;
    private readonly double _serviceCpuMs;
    private readonly double _clickHouseCpuMs;

    private PhaseCounters(Dictionary<string, (double Seconds, long Count)> operations, double serviceCpuMs, double clickHouseCpuMs)
    {
        _operations = operations;
        _serviceCpuMs = serviceCpuMs;
        _clickHouseCpuMs = clickHouseCpuMs;
    }

    public static async Task<PhaseCounters> ReadAsync(
        HttpClient service, int serviceProcessId, ClickHouseClient clickHouse, CancellationToken cancellationToken)
    {
        var text = await service.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken);
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

        // Fields after the command name (which may hold spaces): utime is field 14 and stime field 15.
        var stat = File.ReadAllText($"/proc/{serviceProcessId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);

        var microseconds = await clickHouse.QueryScalarAsync(
            "SELECT sum(value) FROM system.events WHERE event IN ('UserTimeMicroseconds', 'SystemTimeMicroseconds')",
            BenchmarkJsonContext.Default.UInt64, cancellationToken: cancellationToken);
        return new PhaseCounters(operations, ticks / ClockTicksPerMillisecond, microseconds / 1000.0);
    }

    /// <summary>What happened between <paramref name="before"/> and this reading, per <paramref name="requests"/> HTTP requests.</summary>
    public string Since(PhaseCounters before, int requests)
    {
        var figures = new List<string>();
        foreach (var (operation, (seconds, count)) in _operations.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var (earlierSeconds, earlierCount) = before._operations.GetValueOrDefault(operation);
            var n = count - earlierCount;
            if (n > 0)
            {
                var milliseconds = (seconds - earlierSeconds) * 1000;
                var perRequest = milliseconds / requests;
                figures.Add($"{operation} {n / (double)requests:F1} a request, {perRequest:F1} ms a request ({milliseconds / n:F1} each)");
            }
        }

        return $"service CPU {(_serviceCpuMs - before._serviceCpuMs) / requests:F1} ms, "
            + $"ClickHouse query CPU {(_clickHouseCpuMs - before._clickHouseCpuMs) / requests:F1} ms a request; "
            + $"service's ClickHouse client (wall): {(figures.Count == 0 ? "no requests" : string.Join(", ", figures))}";
    }
}
