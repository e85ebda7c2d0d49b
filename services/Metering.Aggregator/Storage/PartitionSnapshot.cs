namespace Metering.Aggregator.Storage;

/// <summary>
/// What a partition's new owner reads from ClickHouse to resume it (DESIGN.md §5.6): where to resume,
/// the watermark, the rollup rows of its windows that may still be open, the dedupe keys within the
/// horizon, and the decisions stored with records written beyond the progress row.
/// </summary>
internal sealed record PartitionSnapshot(
    long NextOffset,
    long WatermarkMs,
    IReadOnlyList<RollupRow> Rollups,
    IReadOnlyList<DedupeKeyRow> DedupeKeys,
    IReadOnlyList<StoredDecisionRow> Tail)
{
    /// <summary>A partition nothing was ever written for.</summary>
    public static readonly PartitionSnapshot Empty = new(0, long.MinValue, [], [], []);
}
