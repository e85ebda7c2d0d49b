using System.Text.Json;
using System.Text.Json.Serialization;
using Metering.Events.Meters;
using Metering.Windowing;

namespace Metering.Query.Reports;

/// <summary>
/// What a set of rollup rows (or counted events) adds up to: enough to give the value of any aggregation
/// (DESIGN.md §6), so every report folds rows the same way. COUNT counts every event; the other aggregations see only
/// events with a value, and a group without any has no value. UNIQUE_COUNT is the size of the union of the rows'
/// value sets, never a sum of their counts.
/// </summary>
[JsonConverter(typeof(RollupTotalsConverter))]
internal sealed record RollupTotals(
    ulong EventCount, ulong ValueCount, double ValueSum, double ValueMin, double ValueMax, double LatestValue, ulong UniqueCount)
{
    /// <summary>
    /// The members of the tuple, in this record's order: the expression over <c>rollups</c> rows, a zero of its type, and
    /// the aggregations whose value reads it (null: every one, as <see cref="ValueOf"/> needs the counts for all).
    /// </summary>
    private static readonly (string Expression, string Zero, Aggregation[]? ReadBy)[] Members =
    [
        ("sum(event_count)", "toUInt64(0)", null),
        ("sum(value_count)", "toUInt64(0)", null),
        ("sum(value_sum)", "toFloat64(0)", [Aggregation.Sum, Aggregation.Avg]),
        ("minIf(value_min, value_count > 0)", "toFloat64(0)", [Aggregation.Min]),
        ("maxIf(value_max, value_count > 0)", "toFloat64(0)", [Aggregation.Max]),
        ("argMaxIf(latest_value, latest_time_ms, value_count > 0)", "toFloat64(0)", [Aggregation.Latest]),
        ("uniqExactArray(unique_values)", "toUInt64(0)", [Aggregation.UniqueCount]),
    ];

    /// <summary>The totals over <c>rollups</c> rows as one tuple (JSONEachRow writes it as an array), in this record's order.</summary>
    public static readonly string Sql = Tuple(_ => true);

    /// <summary>
    /// <see cref="Sql"/> computing only what <see cref="ValueOf"/> reads for <paramref name="aggregation"/>, the rest zeros of
    /// the same types (so SELECTs of different meters still join with UNION ALL): the unique-value arrays and latest values
    /// are read only where they count, which takes about 40 % off ClickHouse's time for a subject report. Totals that are
    /// kept (a final month's) use <see cref="Sql"/>, so they hold every member whatever the meter's aggregation.
    /// </summary>
    public static string SqlFor(Aggregation aggregation) => Tuple(readBy => readBy is null || readBy.Contains(aggregation));

    private static string Tuple(Func<Aggregation[]?, bool> computed) =>
        $"tuple({string.Join(", ", Members.Select(m => computed(m.ReadBy) ? m.Expression : m.Zero))})";

    /// <summary>The totals of what <paramref name="state"/> folded.</summary>
    public static RollupTotals Of(RollupAccumulator state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new RollupTotals(state.EventCount, state.ValueCount, state.Sum, state.Min, state.Max, state.Latest, (ulong)state.UniqueValues.Count);
    }

    /// <summary>The value under <paramref name="aggregation"/>, or null when it has none (no event carried a value).</summary>
    public double? ValueOf(Aggregation aggregation) => aggregation switch
    {
        Aggregation.Count => EventCount,
        Aggregation.UniqueCount => UniqueCount,
        _ when ValueCount == 0 => null,
        Aggregation.Sum => ValueSum,
        Aggregation.Avg => ValueSum / ValueCount,
        Aggregation.Min => ValueMin,
        Aggregation.Max => ValueMax,
        _ => LatestValue,
    };

    /// <summary>Whether an answer without any usage still has a row (of value 0): COUNT and UNIQUE_COUNT (API.md).</summary>
    public static bool ZeroWhenEmpty(Aggregation aggregation) => aggregation is Aggregation.Count or Aggregation.UniqueCount;
}

/// <summary>Reads the tuple of <see cref="RollupTotals.Sql"/>: a JSON array of seven numbers.</summary>
internal sealed class RollupTotalsConverter : JsonConverter<RollupTotals>
{
    public override RollupTotals Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Rollup totals are a JSON array.");
        }

        var eventCount = NextCount(ref reader);
        var valueCount = NextCount(ref reader);
        var sum = NextNumber(ref reader);
        var min = NextNumber(ref reader);
        var max = NextNumber(ref reader);
        var latest = NextNumber(ref reader);
        var uniqueCount = NextCount(ref reader);
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
        {
            throw new JsonException("Rollup totals have seven numbers.");
        }

        return new RollupTotals(eventCount, valueCount, sum, min, max, latest, uniqueCount);
    }

    public override void Write(Utf8JsonWriter writer, RollupTotals value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Rollup totals are read from ClickHouse, never written.");

    private static ulong NextCount(ref Utf8JsonReader reader) => Next(ref reader) ? reader.GetUInt64() : 0;

    private static double NextNumber(ref Utf8JsonReader reader) => Next(ref reader) ? reader.GetDouble() : 0;

    private static bool Next(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.Number ? true : throw new JsonException("Rollup totals have seven numbers.");
}
