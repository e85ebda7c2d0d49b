using System.Globalization;

namespace Metering.Chaos.Oracle;

/// <summary>The compared figures of a rollup. <see cref="ValueMax"/> is compared for MAX meters only.</summary>
internal sealed class RollupValue
{
    public long EventCount { get; set; }

    public long ValueCount { get; set; }

    public double ValueSum { get; set; }

    public double? ValueMax { get; set; }

    public void Add(bool hasValue, double value)
    {
        EventCount++;
        if (hasValue)
        {
            ValueCount++;
            ValueSum += value;
            ValueMax = ValueMax is { } max ? Math.Max(max, value) : value;
        }
    }

    public void Merge(RollupValue other)
    {
        EventCount += other.EventCount;
        ValueCount += other.ValueCount;
        ValueSum += other.ValueSum;
        if (other.ValueMax is { } max)
        {
            ValueMax = ValueMax is { } mine ? Math.Max(mine, max) : max;
        }
    }

    public bool Matches(RollupValue other, MeterAggregation aggregation) =>
        EventCount == other.EventCount && ValueCount == other.ValueCount && ValueSum.Equals(other.ValueSum)
        && (aggregation != MeterAggregation.Max || Nullable.Equals(ValueMax, other.ValueMax));

    public string Describe(MeterAggregation aggregation) =>
        string.Create(CultureInfo.InvariantCulture, $"count={EventCount} values={ValueCount} sum={ValueSum:R}")
        + (aggregation == MeterAggregation.Max ? string.Create(CultureInfo.InvariantCulture, $" max={ValueMax:R}") : "");
}
