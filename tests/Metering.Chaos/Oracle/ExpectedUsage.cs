using Metering.Chaos.Generation;

namespace Metering.Chaos.Oracle;

/// <summary>
/// What the pipeline must end up with, computed only from the events the generator had acknowledged and the
/// assignments it wrote: rollups from on-time first copies, one adjustment per late event and meter, and monthly totals
/// of both. One instance per account while sending (no locks), merged at the end.
/// </summary>
internal sealed class ExpectedUsage
{
    public Dictionary<RollupKey, RollupValue> Rollups { get; } = [];

    public List<Adjustment> Adjustments { get; } = [];

    /// <summary>Distinct events (first copies) the gateway acknowledged, on time and late.</summary>
    public long DistinctEvents { get; private set; }

    public void Add(GeneratedEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        DistinctEvents++;
        var windowStart = WindowStartSeconds(e.TimeMs);
        if (e.Late)
        {
            Adjustments.Add(new Adjustment(e.Meter.Name, e.Account, e.Source, e.Id, e.Team, e.Subject, e.GroupBy, windowStart, e.HasValue, e.Value));
            return;
        }

        var key = new RollupKey(e.Meter.Name, e.Account, e.Team, e.Subject, e.GroupBy, windowStart);
        if (!Rollups.TryGetValue(key, out var value))
        {
            Rollups[key] = value = new RollupValue();
        }

        value.Add(e.HasValue, e.Value);
    }

    public void Merge(ExpectedUsage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        DistinctEvents += other.DistinctEvents;
        Adjustments.AddRange(other.Adjustments);
        foreach (var (key, value) in other.Rollups)
        {
            if (!Rollups.TryGetValue(key, out var mine))
            {
                Rollups[key] = mine = new RollupValue();
            }

            mine.Merge(value);
        }
    }

    public static long WindowStartSeconds(long timeMs)
    {
        var windowMs = (long)ChaosOptions.WindowSize.TotalMilliseconds;
        return timeMs / windowMs * windowMs / 1000;
    }

    /// <summary>Monthly totals per (month, account, team, meter): COUNT counts, SUM sums, MAX takes the largest value.</summary>
    public static Dictionary<(string Month, string Account, string Team, string Meter), double> MonthlyTotals(
        IEnumerable<KeyValuePair<RollupKey, RollupValue>> rollups, IEnumerable<Adjustment> adjustments)
    {
        var totals = new Dictionary<(string, string, string, string), double>();
        void Add((string, string, string, string) key, ChaosMeter meter, double value)
        {
            totals[key] = totals.TryGetValue(key, out var total)
                ? meter.Aggregation == MeterAggregation.Max ? Math.Max(total, value) : total + value
                : value;
        }

        foreach (var (key, value) in rollups)
        {
            var meter = ChaosMeter.Find(key.Meter);
            if (meter is null || (meter.Aggregation == MeterAggregation.Max && value.ValueMax is null))
            {
                continue;
            }

            Add((Format.Month(key.WindowStartSeconds), key.Account, key.Team, key.Meter), meter, meter.Aggregation switch
            {
                MeterAggregation.Count => value.EventCount,
                MeterAggregation.Sum => value.ValueSum,
                _ => value.ValueMax!.Value,
            });
        }

        foreach (var adjustment in adjustments)
        {
            var meter = ChaosMeter.Find(adjustment.Meter);
            if (meter is null || (meter.Aggregation != MeterAggregation.Count && !adjustment.HasValue))
            {
                continue;
            }

            Add((Format.Month(adjustment.WindowStartSeconds), adjustment.Account, adjustment.Team, adjustment.Meter), meter,
                meter.Aggregation == MeterAggregation.Count ? 1 : adjustment.Value);
        }

        return totals;
    }
}
