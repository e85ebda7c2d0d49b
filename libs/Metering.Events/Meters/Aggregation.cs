namespace Metering.Events.Meters;

/// <summary>How a meter folds its events' values (DESIGN.md §6).</summary>
public enum Aggregation
{
    Sum,
    Count,
    Avg,
    Max,
    Min,
    Latest,
    UniqueCount,
}
