using Metering.ClickHouse;
using Metering.Events.Meters;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Usage;

/// <summary>
/// Answers usage queries from the rollups. Values reach the SQL only through
/// <see cref="ClickHouseSql.Literal(string)"/>; names only from the meter definitions (a whitelist).
/// </summary>
internal sealed class UsageQuery(ClickHouseClient clickHouse)
{
    public async Task<UsageResponse> RunAsync(UsageRequest request, TimeProvider clock, CancellationToken cancellationToken)
    {
        var meter = request.Meter;
        var (from, to) = await RangeAsync(request, clock, cancellationToken);
        var bucket = request.WindowSize switch
        {
            WindowSize.MINUTE => "toStartOfMinute(window_start)",
            WindowSize.HOUR => "toStartOfHour(window_start)",
            WindowSize.DAY => "toStartOfDay(window_start)",
            WindowSize.MONTH => "toDateTime(toStartOfMonth(window_start))",
            _ => Literal(from),
        };
        var dims = request.GroupBy.Count == 0
            ? "emptyArrayString()"
            : "[" + string.Join(", ", request.GroupBy.Select(Dimension)) + "]";
        var filters = new List<string>
        {
            $"meter = {Literal(meter.Name)}",
            $"window_start >= {Literal(from)}",
            $"window_start < {Literal(to)}",
        };
        AddIn(filters, "account", request.Accounts);
        AddIn(filters, "team", request.Teams);
        AddIn(filters, "subject", request.Subjects);
        foreach (var (name, values) in request.GroupByFilters)
        {
            AddIn(filters, Dimension(name), values);
        }

        var value = AggregationSql.Value(meter.Aggregation);
        var having = AggregationSql.HasValue(meter.Aggregation) is { } hasValue ? "HAVING " + hasValue : "";
        if (request.FinalOnly)
        {
            having = (having.Length == 0 ? "HAVING " : having + " AND ") + "min(finalized_at > toDateTime(0)) = 1";
        }

        var rows = await clickHouse.QueryAsync(
            $"""
            SELECT {bucket} AS window_start, {dims} AS dims, {value} AS value, min(finalized_at > toDateTime(0)) AS is_final
            FROM rollups FINAL
            WHERE {string.Join(" AND ", filters)}
            GROUP BY window_start, dims
            {having}
            ORDER BY window_start, dims
            """,
            QueryStorageJsonContext.Default.UsageRow, cancellationToken: cancellationToken);

        var data = rows.Select(r => ToDataRow(request, r, from, to)).ToList();
        if (data.Count == 0 && meter.Aggregation is Aggregation.Count or Aggregation.UniqueCount && !request.FinalOnly)
        {
            data.Add(new UsageDataRow(from, to, 0, "provisional", null, null));
        }

        return new UsageResponse(meter.Name, from, to, request.WindowSize?.ToString(), "UTC", data);
    }

    /// <summary>The requested range; an open end is the first or last usage of the meter.</summary>
    private async Task<(DateTimeOffset From, DateTimeOffset To)> RangeAsync(
        UsageRequest request, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.From is { } f && request.To is { } t)
        {
            return (f, t);
        }

        var bounds = await clickHouse.QueryAsync(
            $"""
            SELECT min(window_start) AS window_start, emptyArrayString() AS dims, toFloat64(max(window_end)) AS value, 0 AS is_final
            FROM rollups
            WHERE meter = {Literal(request.Meter.Name)}
            """,
            QueryStorageJsonContext.Default.UsageRow, cancellationToken: cancellationToken);
        var now = clock.GetUtcNow();
        var hasData = bounds.Count > 0 && bounds[0].Value > 0;
        var from = request.From ?? (hasData ? bounds[0].WindowStart : now);
        var to = request.To ?? (hasData ? DateTimeOffset.FromUnixTimeSeconds((long)bounds[0].Value) : now);
        return from < to ? (from, to) : (from, from.AddSeconds(1));
    }

    private static UsageDataRow ToDataRow(UsageRequest request, UsageRow row, DateTimeOffset from, DateTimeOffset to)
    {
        var start = row.WindowStart < from ? from : row.WindowStart;
        var end = request.WindowSize switch
        {
            WindowSize.MONTH => row.WindowStart.AddMonths(1),
            { } size => row.WindowStart + UsageRequest.SpanOf(size),
            null => to,
        };
        string? subject = null;
        Dictionary<string, string>? groupBy = null;
        for (var i = 0; i < request.GroupBy.Count; i++)
        {
            if (request.GroupBy[i] == "subject")
            {
                subject = row.Dims[i];
            }
            else
            {
                (groupBy ??= new Dictionary<string, string>(StringComparer.Ordinal))[request.GroupBy[i]] = row.Dims[i];
            }
        }

        return new UsageDataRow(start, end < to ? end : to, row.Value, row.IsFinal == 1 ? "final" : "provisional", subject, groupBy);
    }

    /// <summary>The SQL of a dimension; <paramref name="name"/> is a validated group-by name.</summary>
    private static string Dimension(string name) =>
        MeterCatalog.ReservedDimensions.Contains(name) ? name : $"visitParamExtractString(group_by, {Literal(name)})";

    private static void AddIn(List<string> filters, string column, IReadOnlyCollection<string> values)
    {
        if (values.Count > 0)
        {
            filters.Add($"{column} IN ({string.Join(", ", values.Select(Literal))})");
        }
    }
}
