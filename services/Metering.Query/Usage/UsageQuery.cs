using System.Globalization;
using System.Text.Json;
using Metering.ClickHouse;
using Metering.Events.Meters;
using Metering.Query.Accounts;
using Metering.Query.Reports;
using Metering.Query.Windows;
using Metering.Windowing;
using Microsoft.Extensions.Options;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Usage;

/// <summary>
/// Answers usage queries. Windows whose boundaries are boundaries of the base windows come from the rollups; others
/// (a zone such as Asia/Kolkata under hourly base windows, MINUTE windows over hourly rollups, a range that starts
/// inside a base window) come from the raw events with the same dedupe and attribution (DESIGN.md §5.4): the events the
/// aggregator counted — not duplicates, not late events (those are adjustments) — folded with the meter's own paths.
/// Values reach the SQL only through <see cref="ClickHouseSql.Literal(string)"/>; names only from the meter definitions.
/// </summary>
/// <remarks>
/// Subjects of accounts whose personal data is off are shown, grouped and filtered as their pseudonyms
/// (<see cref="PersonalData"/>), so a report shows no more of them than the account allows.
/// </remarks>
internal sealed class UsageQuery(
    ClickHouseClient clickHouse, WindowFinality finality, AccountSettingsStore settings, IOptions<RollupWindowOptions> windowOptions)
{
    /// <summary>The most raw events one answer may fold; beyond it the caller is asked to narrow the query.</summary>
    public const int MaxRawEvents = 1_000_000;

    /// <summary>The answer, or the reason (a 400) when the range turns out to hold too many windows or raw events.</summary>
    public async Task<(UsageResponse? Response, string? Error)> RunAsync(UsageRequest request, TimeProvider clock, CancellationToken cancellationToken)
    {
        var meter = request.Meter;
        var hidden = request.GroupBy.Contains("subject") || request.Subjects.Count > 0
            ? await settings.LoadHiddenAsync(request.Accounts, cancellationToken)
            : [];
        var subject = PersonalData.ShownSql(hidden);
        var range = await RangeAsync(request, subject, cancellationToken);
        var zoneName = request.TimeZone.Id;
        if (range is not var (from, to))
        {
            var now = clock.GetUtcNow();
            IReadOnlyList<UsageDataRow> none = RollupTotals.ZeroWhenEmpty(meter.Aggregation) && !request.FinalOnly
                ? [new UsageDataRow(now, now, 0, Provisional, null, null)]
                : [];
            return (new UsageResponse(meter.Name, now, now, request.WindowSize?.ToString(), zoneName, none), null);
        }

        if (UsageWindows.Create(from, to, request.WindowSize, request.TimeZone, UsageRequest.MaxWindows) is not { } windows)
        {
            return (null, UsageRequest.TooManyWindows(request.WindowSize!.Value));
        }

        var watermarks = finality.LoadAsync(cancellationToken);
        var rows = windows.AlignedTo(windowOptions.Value.WindowSize)
            ? await FromRollupsAsync(request, windows, subject, cancellationToken)
            : await FromRawEventsAsync(request, windows, subject, hidden.ToDictionary(h => h.Account, StringComparer.Ordinal), cancellationToken);
        if (rows is null)
        {
            return (null, $"the range holds more than {MaxRawEvents} events of meter {meter.Name}, and its windows in {zoneName} do not "
                + $"fall on the {windowOptions.Value.WindowSize} base windows of the rollups, so they are counted from the raw events; "
                + "narrow the range or the filters, or ask for windows that align with the base windows");
        }

        var final = await watermarks;
        var data = new List<UsageDataRow>(rows.Count);
        foreach (var row in rows)
        {
            var isFinal = row.RowsFinal && final.IsFinal(windows.End(row.Window), row.Partitions);
            if (!request.FinalOnly || isFinal)
            {
                data.Add(ToDataRow(request, windows, row, isFinal));
            }
        }

        if (rows.Count == 0 && RollupTotals.ZeroWhenEmpty(meter.Aggregation))
        {
            var isFinal = final.IsFinal(to, []);
            if (!request.FinalOnly || isFinal)
            {
                data.Add(new UsageDataRow(from, to, 0, isFinal ? Final : Provisional, null, null));
            }
        }

        return (new UsageResponse(meter.Name, from, to, request.WindowSize?.ToString(), zoneName, data), null);
    }

    private const string Final = "final";
    private const string Provisional = "provisional";

    /// <summary>The requested range; an open end is the first or last usage that the filters select; null without any.</summary>
    private async Task<(DateTimeOffset From, DateTimeOffset To)?> RangeAsync(UsageRequest request, string subject, CancellationToken cancellationToken)
    {
        if (request.From is { } f && request.To is { } t)
        {
            return (f, t);
        }

        var bounds = (await clickHouse.QueryAsync(
            $"""
            SELECT toInt64(toUInt32(min(window_start))) * 1000 AS first_ms, toInt64(toUInt32(max(window_end))) * 1000 AS last_ms, count() AS rows
            FROM rollups
            WHERE {string.Join(" AND ", Filters(request, subject, rollups: true))}
            """,
            QueryStorageJsonContext.Default.UsageBoundsRow, cancellationToken: cancellationToken)).Single();
        if (bounds.Rows == 0)
        {
            return null;
        }

        var from = request.From ?? DateTimeOffset.FromUnixTimeMilliseconds(bounds.FirstMs);
        var to = request.To ?? DateTimeOffset.FromUnixTimeMilliseconds(bounds.LastMs);
        return from < to ? (from, to) : null;
    }

    private async Task<List<WindowedRow>> FromRollupsAsync(UsageRequest request, UsageWindows windows, string subject, CancellationToken cancellationToken)
    {
        var zone = Literal(request.TimeZone.Id);
        var bucket = request.WindowSize switch
        {
            WindowSize.MINUTE => "toStartOfMinute(window_start)",
            WindowSize.HOUR => $"toStartOfHour(window_start, {zone})",
            WindowSize.DAY => $"toStartOfDay(window_start, {zone})",
            WindowSize.MONTH => $"toDateTime(toStartOfMonth(window_start, {zone}), {zone})",
            _ => "toDateTime(0)",
        };
        var dims = request.GroupBy.Count == 0
            ? "emptyArrayString()"
            : "[" + string.Join(", ", request.GroupBy.Select(name => name == "subject" ? subject : Dimension(name))) + "]";
        var filters = Filters(request, subject, rollups: true);
        filters.Add($"window_start >= {Literal(windows.From)}");
        filters.Add($"window_start < {Literal(windows.To)}");
        var rows = await clickHouse.QueryAsync(
            $"""
            SELECT toInt64(toUInt32({bucket})) * 1000 AS bucket_ms, {dims} AS dims, {RollupTotals.SqlFor(request.Meter.Aggregation)} AS totals,
                   min(finalized_at > toDateTime(0)) AS rows_final, groupUniqArray(kafka_partition) AS partitions
            FROM rollups FINAL
            WHERE {string.Join(" AND ", filters)}
            GROUP BY bucket_ms, dims
            ORDER BY bucket_ms, dims
            """,
            QueryStorageJsonContext.Default.UsageRow, cancellationToken: cancellationToken);
        var from = windows.From.ToUnixTimeMilliseconds();
        var windowed = new List<WindowedRow>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Totals.ValueOf(request.Meter.Aggregation) is { } value)
            {
                windowed.Add(new WindowedRow(windows.IndexOf(DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(row.BucketMs, from))),
                    row.Dims, value, row.RowsFinal == 1, [.. row.Partitions.Select(p => (int)p)]));
            }
        }

        return windowed;
    }

    /// <summary>The windows folded from the raw events; null when there are more than <see cref="MaxRawEvents"/>.</summary>
    private async Task<List<WindowedRow>?> FromRawEventsAsync(
        UsageRequest request, UsageWindows windows, string subject, Dictionary<string, AccountSettings> hidden, CancellationToken cancellationToken)
    {
        var meter = request.Meter;
        var filters = Filters(request, subject, rollups: false);
        // DateTime holds whole seconds; the exact bounds are applied below to the milliseconds.
        filters.Add($"event_time >= {Literal(windows.From)}");
        filters.Add($"event_time <= {Literal(windows.To)}");
        filters.Add("duplicate = 0");
        filters.Add($"type = {Literal(meter.EventType)}");
        var lateAccounts = request.Accounts.Count == 0 ? "" : $" AND account IN ({string.Join(", ", request.Accounts.Select(Literal))})";
        var events = await clickHouse.QueryAsync(
            $"""
            SELECT kafka_partition, account, team, subject, toInt64(toUInt32(event_time)) * 1000 + event_time_ms AS time_ms, data
            FROM usage_events FINAL
            WHERE {string.Join(" AND ", filters)}
              AND (kafka_partition, kafka_offset) NOT IN
                  (SELECT kafka_partition, kafka_offset FROM adjustments WHERE meter = {Literal(meter.Name)}{lateAccounts})
            LIMIT {Literal(MaxRawEvents + 1)}
            """,
            QueryStorageJsonContext.Default.RawUsageEventRow, cancellationToken: cancellationToken);
        if (events.Count > MaxRawEvents)
        {
            return null;
        }

        var groups = new Dictionary<(int Window, string Key), (string[] Dims, RollupAccumulator State, HashSet<int> Partitions)>();
        foreach (var e in events)
        {
            var window = windows.IndexOf(DateTimeOffset.FromUnixTimeMilliseconds(e.TimeMs));
            if (window < 0)
            {
                continue;
            }

            using var document = e.Data.Length == 0 ? null : JsonDocument.Parse(e.Data);
            var data = document?.RootElement;
            if (request.GroupByFilters.Any(f => !f.Value.Contains(GroupByValue(meter, f.Key, data), StringComparer.Ordinal)))
            {
                continue;
            }

            var dims = request.GroupBy.Select(name => name switch
            {
                "account" => e.Account,
                "team" => e.Team,
                "subject" => e.Subject.Length > 0 && hidden.TryGetValue(e.Account, out var account) ? account.Show(e.Subject) : e.Subject,
                _ => GroupByValue(meter, name, data),
            }).ToArray();
            var key = (window, string.Join('\0', dims));
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = (dims, new RollupAccumulator(), []);
            }

            // As the aggregator folds an event (PartitionAggregator): a value that is not a number is no value.
            var value = meter.ValueProperty is { } path && data is { } d ? path.SelectValue(d) : MeterValue.Missing;
            double? number = value.Kind == MeterValueKind.Number ? value.Number : null;
            group.State.Add(number, e.TimeMs);
            if (meter.Aggregation == Aggregation.UniqueCount && number is { } n)
            {
                group.State.AddUnique(n.ToString("R", CultureInfo.InvariantCulture));
            }

            group.Partitions.Add(e.KafkaPartition);
        }

        var rows = new List<WindowedRow>(groups.Count);
        foreach (var ((window, _), (dims, state, partitions)) in groups)
        {
            if (RollupTotals.Of(state).ValueOf(meter.Aggregation) is { } value)
            {
                rows.Add(new WindowedRow(window, dims, value, RowsFinal: true, [.. partitions]));
            }
        }

        rows.Sort((a, b) => a.Window != b.Window ? a.Window.CompareTo(b.Window) : CompareDims(a.Dims, b.Dims));
        return rows;
    }

    private static UsageDataRow ToDataRow(UsageRequest request, UsageWindows windows, WindowedRow row, bool isFinal)
    {
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

        return new UsageDataRow(windows.Start(row.Window), windows.End(row.Window), row.Value, isFinal ? Final : Provisional, subject, groupBy);
    }

    /// <summary>
    /// The conditions of the request's filters on rollup rows or raw events; <paramref name="subject"/> is the subject as
    /// shown, which is what the subject filter compares with.
    /// </summary>
    private static List<string> Filters(UsageRequest request, string subject, bool rollups)
    {
        var filters = new List<string>();
        if (rollups)
        {
            filters.Add($"meter = {Literal(request.Meter.Name)}");
        }

        AddIn(filters, "account", request.Accounts);
        AddIn(filters, "team", request.Teams);
        AddIn(filters, subject, request.Subjects);
        if (rollups)
        {
            foreach (var (name, values) in request.GroupByFilters)
            {
                AddIn(filters, Dimension(name), values);
            }
        }

        return filters;
    }

    /// <summary>The SQL of a rollup dimension; <paramref name="name"/> is a validated group-by name.</summary>
    private static string Dimension(string name) =>
        MeterCatalog.ReservedDimensions.Contains(name) ? name : $"visitParamExtractString(group_by, {Literal(name)})";

    /// <summary>A group-by value of an event as the aggregator stores it ("" without data or property).</summary>
    private static string GroupByValue(MeterDefinition meter, string name, JsonElement? data) =>
        data is { } d ? meter.GroupBy[name].SelectText(d) : "";

    private static void AddIn(List<string> filters, string column, IReadOnlyCollection<string> values)
    {
        if (values.Count > 0)
        {
            filters.Add($"{column} IN ({string.Join(", ", values.Select(Literal))})");
        }
    }

    private static int CompareDims(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        for (var i = 0; i < a.Count; i++)
        {
            var order = string.CompareOrdinal(a[i], b[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return 0;
    }

    /// <summary>One answer row before it is shaped: its window, dimension values, value, and what decides its status.</summary>
    private sealed record WindowedRow(int Window, IReadOnlyList<string> Dims, double Value, bool RowsFinal, IReadOnlyList<int> Partitions);
}
