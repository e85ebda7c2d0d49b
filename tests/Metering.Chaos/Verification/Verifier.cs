using System.Globalization;
using Metering.Chaos.Oracle;
using Metering.ClickHouse;

namespace Metering.Chaos.Verification;

/// <summary>
/// Compares what ClickHouse holds with the oracle: every rollup (summed over Kafka partitions, group-by compared as
/// parsed JSON), every adjustment, the monthly totals per account, team and meter, and the raw-event audit trail.
/// </summary>
internal sealed class Verifier(ClickHouseClient clickHouse, RunLog log)
{
    public const int ListedMismatches = 50;

    private readonly List<string> _mismatches = [];

    public IReadOnlyList<string> Mismatches => _mismatches;

    public void Add(string mismatch) => _mismatches.Add(mismatch);

    public async Task CompareAsync(ExpectedUsage expected, long logRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var rollups = await ReadRollupsAsync(cancellationToken);
        var adjustments = await clickHouse.QueryAsync(
            "SELECT meter, account, team, subject, group_by, toUInt32(window_start) AS ws, source, id, has_value, value, "
            + "kafka_partition, kafka_offset FROM adjustments FINAL",
            ChaosJsonContext.Default.StoredAdjustment, cancellationToken: cancellationToken);
        var events = (await clickHouse.QueryAsync(
            "SELECT count() AS records, countIf(duplicate = 0) AS originals, uniqExact(account, source, id) AS distinct_events "
            + "FROM usage_events FINAL",
            ChaosJsonContext.Default.StoredEventCounts, cancellationToken: cancellationToken)).Single();

        PrintTotals(expected, rollups, adjustments);
        CompareRollups(expected.Rollups, rollups);
        var stored = adjustments.Select(a => new Adjustment(a.Meter, a.Account, a.Source, a.Id, a.Team, a.Subject,
            GroupByKey.Parse(a.GroupBy), a.Ws, a.HasValue != 0, a.Value)).ToList();
        CompareAdjustments(expected.Adjustments, stored);
        CompareMonthly(ExpectedUsage.MonthlyTotals(expected.Rollups, expected.Adjustments), ExpectedUsage.MonthlyTotals(rollups, stored));

        log.Line(string.Create(CultureInfo.InvariantCulture,
            $"usage_events: {events.Records:N0} rows ({logRecords:N0} records in the log), {events.Originals:N0} not marked duplicate, "
            + $"{events.DistinctEvents:N0} distinct (account, source, id); the generator's distinct events: {expected.DistinctEvents:N0}"));
        if (events.Records != logRecords)
        {
            Add($"usage_events: {events.Records} rows, but the log holds {logRecords} records");
        }

        if (events.Originals != expected.DistinctEvents || events.DistinctEvents != expected.DistinctEvents)
        {
            Add($"usage_events: {events.Originals} rows not marked duplicate and {events.DistinctEvents} distinct events, "
                + $"expected {expected.DistinctEvents} of each");
        }
    }

    private async Task<Dictionary<RollupKey, RollupValue>> ReadRollupsAsync(CancellationToken cancellationToken)
    {
        var rows = await clickHouse.QueryAsync(
            "SELECT meter, account, team, subject, group_by, toUInt32(window_start) AS ws, sum(event_count) AS event_count, "
            + "sum(value_count) AS value_count, sum(value_sum) AS value_sum, "
            + "if(isFinite(max(value_max)), max(value_max), 0) AS value_max "
            + "FROM rollups FINAL GROUP BY meter, account, team, subject, group_by, window_start",
            ChaosJsonContext.Default.StoredRollup, cancellationToken: cancellationToken);
        var rollups = new Dictionary<RollupKey, RollupValue>();
        foreach (var row in rows)
        {
            var key = new RollupKey(row.Meter, row.Account, row.Team, row.Subject, GroupByKey.Parse(row.GroupBy), row.Ws);
            var value = new RollupValue
            {
                EventCount = row.EventCount,
                ValueCount = row.ValueCount,
                ValueSum = row.ValueSum,
                ValueMax = row.ValueCount > 0 ? row.ValueMax : null,
            };
            if (rollups.TryGetValue(key, out var same))
            {
                same.Merge(value);
            }
            else
            {
                rollups[key] = value;
            }
        }

        return rollups;
    }

    private void CompareRollups(Dictionary<RollupKey, RollupValue> expected, Dictionary<RollupKey, RollupValue> actual)
    {
        foreach (var (key, want) in expected.OrderBy(k => k.Key.WindowStartSeconds))
        {
            var aggregation = ChaosMeter.Find(key.Meter)!.Aggregation;
            if (!actual.TryGetValue(key, out var got))
            {
                Add($"rollup missing: {key}: expected {want.Describe(aggregation)}");
            }
            else if (!want.Matches(got, aggregation))
            {
                Add($"rollup differs: {key}: expected {want.Describe(aggregation)}, stored {got.Describe(aggregation)}");
            }
        }

        foreach (var (key, got) in actual.Where(a => !expected.ContainsKey(a.Key)).OrderBy(k => k.Key.WindowStartSeconds))
        {
            Add($"rollup unexpected: {key}: stored {got.Describe(ChaosMeter.Find(key.Meter)?.Aggregation ?? MeterAggregation.Sum)}");
        }
    }

    private void CompareAdjustments(List<Adjustment> expected, List<Adjustment> actual)
    {
        var stored = actual.ToLookup(a => a.Key);
        var wanted = expected.ToDictionary(a => a.Key);
        foreach (var want in expected)
        {
            var got = stored[want.Key].ToList();
            if (got.Count == 0)
            {
                Add($"adjustment missing: {want.Describe()}");
                continue;
            }

            if (got.Count > 1)
            {
                Add($"adjustment stored {got.Count} times: {want.Describe()}");
            }

            if (got[0] != want)
            {
                Add($"adjustment differs: expected {want.Describe()}, stored {got[0].Describe()}");
            }
        }

        foreach (var got in actual.Where(a => !wanted.ContainsKey(a.Key)))
        {
            Add($"adjustment unexpected: {got.Describe()}");
        }
    }

    private void CompareMonthly(
        Dictionary<(string Month, string Account, string Team, string Meter), double> expected,
        Dictionary<(string Month, string Account, string Team, string Meter), double> actual)
    {
        foreach (var key in expected.Keys.Union(actual.Keys).OrderBy(k => k.Month).ThenBy(k => k.Account).ThenBy(k => k.Team).ThenBy(k => k.Meter))
        {
            var want = expected.GetValueOrDefault(key);
            var got = actual.GetValueOrDefault(key);
            if (!expected.ContainsKey(key) || !actual.ContainsKey(key) || !want.Equals(got))
            {
                Add(string.Create(CultureInfo.InvariantCulture,
                    $"monthly total differs: {key.Month} {key.Account} team={key.Team} {key.Meter}: expected "
                    + $"{(expected.ContainsKey(key) ? want.ToString("R", CultureInfo.InvariantCulture) : "none")}, stored "
                    + $"{(actual.ContainsKey(key) ? got.ToString("R", CultureInfo.InvariantCulture) : "none")}"));
            }
        }
    }

    private void PrintTotals(ExpectedUsage expected, Dictionary<RollupKey, RollupValue> rollups, IReadOnlyList<StoredAdjustment> adjustments)
    {
        foreach (var meter in ChaosMeter.All)
        {
            var want = Sum(expected.Rollups.Where(r => r.Key.Meter == meter.Name).Select(r => r.Value));
            var got = Sum(rollups.Where(r => r.Key.Meter == meter.Name).Select(r => r.Value));
            log.Line(string.Create(CultureInfo.InvariantCulture,
                $"totals {meter.Name,-16} rollups: expected count={want.EventCount:N0} sum={want.ValueSum:R}, "
                + $"stored count={got.EventCount:N0} sum={got.ValueSum:R}; adjustments: expected "
                + $"{expected.Adjustments.Count(a => a.Meter == meter.Name):N0}, stored {adjustments.Count(a => a.Meter == meter.Name):N0}"));
        }

        static RollupValue Sum(IEnumerable<RollupValue> values)
        {
            var total = new RollupValue();
            foreach (var value in values)
            {
                total.Merge(value);
            }

            return total;
        }
    }
}
