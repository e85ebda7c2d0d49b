using Metering.ClickHouse;
using Metering.Events.Meters;
using Metering.Query.Accounts;
using Metering.Query.Assignments;
using Metering.Query.Reports;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Subjects;

/// <summary>
/// Answers the subject report of an account from the rollups (one query: for every meter of the catalog, the account's
/// rows with windows starting before <c>to</c>, grouped by subject, meter and whether the window is in the range), its
/// assignments and its settings, read at the same time. Values reach the SQL only through
/// <see cref="ClickHouseSql.Literal(string)"/>; names only from the meter catalog.
/// </summary>
internal sealed class SubjectQuery(ClickHouseClient clickHouse, MeterCatalog catalog, AssignmentStore assignments, AccountSettingsStore settings)
{
    /// <exception cref="ClickHouseException">ClickHouse reported an error (after retries, when transient).</exception>
    public async Task<SubjectsResponse> RunAsync(SubjectRequest request, CancellationToken cancellationToken)
    {
        var settingsRead = settings.LoadAsync([request.Account], cancellationToken);
        var assignmentsRead = assignments.ReadAsync(request.Account, subject: null, cancellationToken);
        var usageRead = ReadUsageAsync(request, cancellationToken);
        await Task.WhenAll(settingsRead, assignmentsRead, usageRead);
        var account = (await settingsRead)[request.Account];

        var subjects = new Dictionary<string, Summary>(StringComparer.Ordinal);
        Summary Of(string subject) => subjects.TryGetValue(subject, out var s) ? s : subjects[subject] = new Summary();
        foreach (var row in await usageRead)
        {
            var summary = Of(row.Subject);
            summary.LastAccessMs = Math.Max(summary.LastAccessMs ?? long.MinValue, row.LastAccessMs);
            if (row.InRange != 0)
            {
                summary.Active = true;
                summary.Days.UnionWith(row.Days);
                summary.Teams.UnionWith(row.Teams);
                if (catalog.Find(row.Meter) is { } meter && row.Totals.ValueOf(meter.Aggregation) is { } value)
                {
                    summary.Totals[row.Meter] = value;
                }
            }
        }

        foreach (var (subject, teams) in AssignedTeams.InRange(await assignmentsRead, request.From, request.To))
        {
            Of(subject).Teams.UnionWith(teams);
        }

        var months = MonthsTouched(request.From, request.To);
        var rows = subjects
            .Where(s => request.Teams.Count == 0 || s.Value.Teams.Overlaps(request.Teams))
            .Select(s => new SubjectSummary(
                account.Show(s.Key),
                [.. s.Value.Teams.Order(StringComparer.Ordinal)],
                s.Value.Active,
                s.Value.Days.Count,
                (double)s.Value.Days.Count / months,
                s.Value.LastAccessMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
                catalog.Meters.Where(m => s.Value.Totals.ContainsKey(m.Name)).ToDictionary(m => m.Name, m => s.Value.Totals[m.Name])));
        return new SubjectsResponse(request.Account, request.From, request.To, account.PersonalData, Sort(rows, request));
    }

    /// <summary>How many UTC calendar months [<paramref name="from"/>, <paramref name="to"/>) touches (at least 1).</summary>
    public static int MonthsTouched(DateTimeOffset from, DateTimeOffset to)
    {
        var first = from.UtcDateTime;
        var last = to.UtcDateTime.AddTicks(-1);
        return ((last.Year - first.Year) * 12) + last.Month - first.Month + 1;
    }

    private async Task<IReadOnlyList<SubjectUsageRow>> ReadUsageAsync(SubjectRequest request, CancellationToken cancellationToken)
    {
        var meters = catalog.Meters;
        if (meters.Count == 0)
        {
            return [];
        }

        // Windows are whole seconds (and whole hours by default), so a window is in [from, to) when it starts there.
        var from = Literal(WholeSeconds.AtOrAfter(request.From));
        var to = Literal(WholeSeconds.AtOrAfter(request.To));
        var inRange = $"window_start >= {from}";
        // One SELECT per meter: with `meter IN (…)` ClickHouse 18.16 reads every key between the first and the last meter,
        // all accounts included, while `meter = … AND account = …` reads only the account's own part of the key.
        var perMeter = meters.Select(m =>
            $"""
            SELECT subject, meter, {inRange} AS in_range,
                   {RollupTotals.SqlFor(m.Aggregation)} AS totals,
                   groupUniqArrayIf(toInt32(intDiv(toUInt32(window_start), 86400)), {inRange}) AS days,
                   groupUniqArrayIf(team, {inRange}) AS teams,
                   max(if(last_event_ms != 0, last_event_ms, greatest(toInt64(toUInt32(window_start)) * 1000, latest_time_ms))) AS last_access_ms
            FROM rollups FINAL
            WHERE meter = {Literal(m.Name)}
              AND account = {Literal(request.Account)}
              AND window_start < {to}
              AND subject != ''
            GROUP BY subject, meter, in_range
            """);
        return await clickHouse.QueryAsync(
            $"SELECT * FROM ({string.Join(" UNION ALL ", perMeter)})",
            QueryStorageJsonContext.Default.SubjectUsageRow, cancellationToken: cancellationToken);
    }

    private static List<SubjectSummary> Sort(IEnumerable<SubjectSummary> rows, SubjectRequest request)
    {
        IComparer<SubjectSummary> by = request.Sort switch
        {
            SubjectSort.LastAccess => Comparer<SubjectSummary>.Create((a, b) => Nullable.Compare(a.LastAccess, b.LastAccess)),
            SubjectSort.DaysUsed => Comparer<SubjectSummary>.Create((a, b) => a.DaysUsed.CompareTo(b.DaysUsed)),
            _ => Comparer<SubjectSummary>.Create((a, b) => string.CompareOrdinal(a.Subject, b.Subject)),
        };
        var ordered = request.Descending ? rows.OrderByDescending(r => r, by) : rows.OrderBy(r => r, by);
        return [.. ordered.ThenBy(r => r.Subject, StringComparer.Ordinal)];
    }

    /// <summary>What the report knows of one subject so far.</summary>
    private sealed class Summary
    {
        public bool Active { get; set; }

        public HashSet<int> Days { get; } = [];

        public HashSet<string> Teams { get; } = new(StringComparer.Ordinal);

        public long? LastAccessMs { get; set; }

        public Dictionary<string, double> Totals { get; } = new(StringComparer.Ordinal);
    }
}
