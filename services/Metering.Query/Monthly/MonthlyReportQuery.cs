using System.Security.Cryptography;
using System.Text.Json;
using Metering.ClickHouse;
using Metering.Events.Meters;
using Metering.Query.Reports;
using Metering.Query.Windows;
using Metering.ServiceDefaults;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Monthly;

/// <summary>
/// Builds finance's monthly report. While any partition may still change the month, the rows are folded from the
/// rollups each time (the status says provisional unless every row and every partition that holds them is final).
/// Once the month is final in every partition its totals can never change (DESIGN.md §5.5), so the first report of it
/// keeps them in <c>monthly_totals</c> and every later report reads those few rows. Adjustments are always read fresh:
/// late events keep arriving after a month is final.
/// </summary>
internal sealed class MonthlyReportQuery(ClickHouseClient clickHouse, MeterCatalog catalog, WindowFinality finality)
{
    private const string Final = "final";
    private const string Provisional = "provisional";

    /// <exception cref="ClickHouseException">ClickHouse reported an error (after retries, when transient).</exception>
    public async Task<MonthlyReport> RunAsync(MonthlyReportRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var adjustments = AdjustmentsAsync(request, cancellationToken);
        var (totals, final) = await TotalsAsync(request, now, cancellationToken);
        var rows = new List<MonthlyReportRow>(totals.Count);
        foreach (var row in totals)
        {
            var meter = catalog.Find(row.Meter)!;
            if (row.Totals.ValueOf(meter.Aggregation) is { } value)
            {
                rows.Add(new MonthlyReportRow(row.Account, row.Team, row.Meter, meter.Unit, value));
            }
        }

        rows.Sort((a, b) => Compare((a.Account, a.Team, a.Meter), (b.Account, b.Team, b.Meter)));
        var late = await adjustments;
        var status = final ? Final : Provisional;
        return new MonthlyReport(request.MonthText, status, now, Checksum(request.MonthText, status, rows, late), rows, late);
    }

    /// <summary>
    /// The canonical form of a report, hashed: one JSON array per line, <c>[month, status]</c>, then every row
    /// <c>["row", account, team, meter, unit, value]</c> and every adjustment
    /// <c>["adjustment", account, team, meter, unit, windowStart, value, receivedAt]</c>, in the report's order (ordinal),
    /// numbers in their shortest round-trip form, times as RFC 3339 UTC. <c>generatedAt</c> is not part of it, so the
    /// same data always yields the same checksum.
    /// </summary>
    public static string Checksum(string month, string status, IReadOnlyList<MonthlyReportRow> rows, IReadOnlyList<MonthlyAdjustment> adjustments)
    {
        using var buffer = new MemoryStream();
        void Line(params object[] values)
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartArray();
                foreach (var value in values)
                {
                    if (value is double number)
                    {
                        writer.WriteNumberValue(number);
                    }
                    else
                    {
                        writer.WriteStringValue((string)value);
                    }
                }

                writer.WriteEndArray();
            }

            buffer.WriteByte((byte)'\n');
        }

        Line(month, status);
        foreach (var r in rows)
        {
            Line("row", r.Account, r.Team, r.Meter, r.Unit, r.Value);
        }

        foreach (var a in adjustments)
        {
            Line("adjustment", a.Account, a.Team, a.Meter, a.Unit, Rfc3339UtcConverter.Format(a.WindowStart), a.Value,
                Rfc3339UtcConverter.Format(a.ReceivedAt));
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }

    /// <summary>The month's totals per account × team × meter under the request's filters, and whether they are final.</summary>
    private async Task<(IReadOnlyList<MonthlyTotalsRow> Rows, bool Final)> TotalsAsync(
        MonthlyReportRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var month = Literal(request.MonthText + "-01");
        var kept = await clickHouse.QueryScalarAsync(
            $"SELECT count() FROM monthly_totals_complete WHERE month = toDate({month})", QueryStorageJsonContext.Default.UInt64,
            cancellationToken: cancellationToken);
        if (kept > 0)
        {
            return (await clickHouse.QueryAsync(
                $"""
                SELECT account, team, meter,
                       tuple(event_count, value_count, value_sum, value_min, value_max, latest_value, unique_count) AS totals
                FROM monthly_totals FINAL
                WHERE {string.Join(" AND ", Filters(request, [$"month = toDate({month})"]))}
                """,
                QueryStorageJsonContext.Default.MonthlyTotalsRow, cancellationToken: cancellationToken), true);
        }

        var watermarks = await finality.LoadAsync(cancellationToken);
        if (watermarks.IsFinal(request.End, []))
        {
            // Final everywhere: fold the whole month once, keep it, and answer the filtered part of it.
            var all = await FoldAsync(request with { Accounts = [], Teams = [], Meters = [] }, cancellationToken);
            if (all.All(r => r.RowsFinal == 1))
            {
                await KeepAsync(request, all, now, cancellationToken);
                return ([.. all.Where(r => Selected(request, r))], true);
            }
        }

        var rows = await FoldAsync(request, cancellationToken);
        var final = rows.All(r => r.RowsFinal == 1) && watermarks.IsFinal(request.End, rows.SelectMany(r => r.Partitions.Select(p => (int)p)));
        return (rows, final);
    }

    /// <summary>The month's totals from the rollups.</summary>
    private async Task<IReadOnlyList<MonthlyTotalsRow>> FoldAsync(MonthlyReportRequest request, CancellationToken cancellationToken)
    {
        // One SELECT per meter: with `meter IN (…)` ClickHouse 18.16 reads every key between the first and the last meter,
        // also where an account filter would have confined it to the account's own part of the key.
        var filters = Filters(request with { Meters = [] }, [$"window_start >= {Literal(request.Start)}", $"window_start < {Literal(request.End)}"]);
        var meters = request.Meters.Count > 0 ? request.Meters : catalog.Meters;
        if (meters.Count == 0)
        {
            return [];
        }

        var perMeter = meters.Select(m =>
            $"""
            SELECT account, team, meter, {RollupTotals.Sql} AS totals,
                   min(finalized_at > toDateTime(0)) AS rows_final, groupUniqArray(kafka_partition) AS partitions
            FROM rollups FINAL
            WHERE meter = {Literal(m.Name)} AND {string.Join(" AND ", filters)}
            GROUP BY account, team, meter
            """);
        return await clickHouse.QueryAsync(
            $"SELECT * FROM ({string.Join(" UNION ALL ", perMeter)})",
            QueryStorageJsonContext.Default.MonthlyTotalsRow, cancellationToken: cancellationToken);
    }

    /// <summary>Writes a final month's totals, then the row that says they are complete.</summary>
    private async Task KeepAsync(MonthlyReportRequest request, IReadOnlyList<MonthlyTotalsRow> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var month = request.Month;
        await clickHouse.InsertAsync("monthly_totals", rows.Select(r => new MonthlyTotalsStorageRow(
            month, r.Account, r.Team, r.Meter, r.Totals.EventCount, r.Totals.ValueCount, r.Totals.ValueSum, r.Totals.ValueMin,
            r.Totals.ValueMax, r.Totals.LatestValue, r.Totals.UniqueCount, now)).ToList(),
            QueryStorageJsonContext.Default.MonthlyTotalsStorageRow, cancellationToken: cancellationToken);
        await clickHouse.InsertAsync("monthly_totals_complete", [new MonthlyTotalsCompleteRow(month, (ulong)rows.Count, now)],
            QueryStorageJsonContext.Default.MonthlyTotalsCompleteRow, cancellationToken: cancellationToken);
    }

    /// <summary>The month's adjustments per account × team × meter × window: the late events folded with the meter's aggregation.</summary>
    private async Task<List<MonthlyAdjustment>> AdjustmentsAsync(MonthlyReportRequest request, CancellationToken cancellationToken)
    {
        var rows = await clickHouse.QueryAsync(
            $"""
            SELECT account, team, meter, toInt64(toUInt32(window_start)) * 1000 AS window_start_ms,
                   tuple(count(), countIf(has_value = 1), sumIf(value, has_value = 1), minIf(value, has_value = 1),
                         maxIf(value, has_value = 1), argMaxIf(value, toInt64(toUInt32(event_time)) * 1000 + event_time_ms, has_value = 1),
                         uniqExactIf(unique_value, unique_value != '')) AS totals,
                   toInt64(toUInt32(max(received_at))) * 1000 AS received_at_ms
            FROM adjustments FINAL
            WHERE {string.Join(" AND ", Filters(request, [
                $"window_start >= {Literal(request.Start)}",
                $"window_start < {Literal(request.End)}"]))}
            GROUP BY account, team, meter, window_start_ms
            """,
            QueryStorageJsonContext.Default.AdjustmentTotalsRow, cancellationToken: cancellationToken);
        var adjustments = new List<MonthlyAdjustment>(rows.Count);
        foreach (var row in rows)
        {
            if (catalog.Find(row.Meter) is { } meter && row.Totals.ValueOf(meter.Aggregation) is { } value)
            {
                adjustments.Add(new MonthlyAdjustment(row.Account, row.Team, row.Meter, meter.Unit, DateTimeOffset.FromUnixTimeMilliseconds(row.WindowStartMs),
                    value, DateTimeOffset.FromUnixTimeMilliseconds(row.ReceivedAtMs)));
            }
        }

        adjustments.Sort((a, b) => Compare((a.Account, a.Team, a.Meter), (b.Account, b.Team, b.Meter)) is var order and not 0
            ? order
            : a.WindowStart.CompareTo(b.WindowStart));
        return adjustments;
    }

    private static List<string> Filters(MonthlyReportRequest request, List<string> filters)
    {
        AddIn(filters, "account", request.Accounts);
        AddIn(filters, "team", request.Teams);
        AddIn(filters, "meter", [.. request.Meters.Select(m => m.Name)]);
        return filters;
    }

    private static bool Selected(MonthlyReportRequest request, MonthlyTotalsRow row) =>
        (request.Accounts.Count == 0 || request.Accounts.Contains(row.Account, StringComparer.Ordinal))
        && (request.Teams.Count == 0 || request.Teams.Contains(row.Team, StringComparer.Ordinal))
        && (request.Meters.Count == 0 || request.Meters.Any(m => m.Name == row.Meter));

    private static void AddIn(List<string> filters, string column, IReadOnlyCollection<string> values)
    {
        if (values.Count > 0)
        {
            filters.Add($"{column} IN ({string.Join(", ", values.Select(Literal))})");
        }
    }

    private static int Compare((string, string, string) a, (string, string, string) b) =>
        string.CompareOrdinal(a.Item1, b.Item1) is var first and not 0 ? first
        : string.CompareOrdinal(a.Item2, b.Item2) is var second and not 0 ? second
        : string.CompareOrdinal(a.Item3, b.Item3);
}
