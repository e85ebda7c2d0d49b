using Metering.Events.Meters;

namespace Metering.Query.Usage;

/// <summary>
/// How a meter's value is computed from its rollup rows (DESIGN.md §6), the one definition every report uses: over
/// the rows of a group, SUM, COUNT, AVG, MIN, MAX, LATEST (the value of the latest event with one) and UNIQUE_COUNT
/// (an exact union of the rows' values, never a sum of their counts).
/// </summary>
internal static class AggregationSql
{
    /// <summary>The value over the rows of a group: a <c>Float64</c> expression of aggregate functions.</summary>
    public static string Value(Aggregation aggregation) => aggregation switch
    {
        Aggregation.Count => "toFloat64(sum(event_count))",
        Aggregation.Sum => "sum(value_sum)",
        Aggregation.Avg => "sum(value_sum) / sum(value_count)",
        Aggregation.Min => "minIf(value_min, value_count > 0)",
        Aggregation.Max => "maxIf(value_max, value_count > 0)",
        Aggregation.Latest => "argMaxIf(latest_value, latest_time_ms, value_count > 0)",
        _ => "toFloat64(uniqExactArray(unique_values))",
    };

    /// <summary>
    /// The condition a group must meet to have a value: none for COUNT and UNIQUE_COUNT (events without a value count,
    /// and no events is 0), at least one event with a value for the others.
    /// </summary>
    public static string? HasValue(Aggregation aggregation) =>
        aggregation is Aggregation.Count or Aggregation.UniqueCount ? null : "sum(value_count) > 0";
}
