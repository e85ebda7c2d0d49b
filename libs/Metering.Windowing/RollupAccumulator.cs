namespace Metering.Windowing;

/// <summary>
/// The cumulative state of one rollup row: everything any aggregation of DESIGN.md §6 needs, so one
/// row serves COUNT, SUM, AVG, MIN, MAX, LATEST and UNIQUE_COUNT.
/// </summary>
/// <remarks>
/// Not sealed: the aggregator keeps millions of open windows, and its window state derives from this class so that
/// each window is one object on the heap rather than two.
/// </remarks>
public class RollupAccumulator
{
    // Created by the first unique value: most rows belong to meters that never add one.
    private HashSet<string>? _uniqueValues;

    /// <summary>Events counted, with or without a value.</summary>
    public ulong EventCount { get; private set; }

    /// <summary>Events that carried a value.</summary>
    public ulong ValueCount { get; private set; }

    public double Sum { get; private set; }

    public double Min { get; private set; }

    public double Max { get; private set; }

    /// <summary>The value of the latest event (by event time) that had one.</summary>
    public double Latest { get; private set; }

    /// <summary>Event time, in Unix milliseconds, of <see cref="Latest"/>; <see cref="long.MinValue"/> before any value.</summary>
    public long LatestTimeMs { get; private set; } = long.MinValue;

    /// <summary>
    /// Event time, in Unix milliseconds, of the latest event counted, with a value or not (a subject's last access);
    /// <see cref="long.MinValue"/> before any event.
    /// </summary>
    public long LastEventMs { get; private set; } = long.MinValue;

    public IReadOnlyCollection<string> UniqueValues => (IReadOnlyCollection<string>?)_uniqueValues ?? [];

    /// <summary>Counts one event; <paramref name="value"/> is null when the event has no value for the meter.</summary>
    public void Add(double? value, long eventTimeMs)
    {
        EventCount++;
        LastEventMs = Math.Max(LastEventMs, eventTimeMs);
        if (value is not { } v)
        {
            return;
        }

        Min = ValueCount == 0 ? v : Math.Min(Min, v);
        Max = ValueCount == 0 ? v : Math.Max(Max, v);
        ValueCount++;
        Sum += v;
        // Ties keep the later arrival, so replaying the same offsets gives the same answer.
        if (eventTimeMs >= LatestTimeMs)
        {
            Latest = v;
            LatestTimeMs = eventTimeMs;
        }
    }

    /// <summary>Remembers a value for UNIQUE_COUNT (the exact set is kept, never summed across windows).</summary>
    public void AddUnique(string value) => (_uniqueValues ??= new HashSet<string>(StringComparer.Ordinal)).Add(value);

    /// <summary>Restores a state read back from storage.</summary>
    public static RollupAccumulator Restore(
        ulong eventCount, ulong valueCount, double sum, double min, double max, double latest, long latestTimeMs, long lastEventMs,
        IEnumerable<string> uniqueValues)
    {
        var accumulator = new RollupAccumulator();
        accumulator.Load(eventCount, valueCount, sum, min, max, latest, latestTimeMs, lastEventMs, uniqueValues);
        return accumulator;
    }

    /// <summary>Replaces the state of a new accumulator with one read back from storage.</summary>
    protected void Load(
        ulong eventCount, ulong valueCount, double sum, double min, double max, double latest, long latestTimeMs, long lastEventMs,
        IEnumerable<string> uniqueValues)
    {
        ArgumentNullException.ThrowIfNull(uniqueValues);
        (EventCount, ValueCount, Sum, Min, Max, Latest, LatestTimeMs, LastEventMs) =
            (eventCount, valueCount, sum, min, max, latest, latestTimeMs, lastEventMs);
        _uniqueValues = null;
        foreach (var value in uniqueValues)
        {
            AddUnique(value);
        }
    }
}
