using Metering.Aggregator.Storage;

namespace Metering.Aggregator.Pipeline;

/// <summary>
/// Everything one flush writes, in the order DESIGN.md §5.6 needs: raw events, dead letters and rollups,
/// then the progress rows that cover them.
/// </summary>
internal sealed record WindowBatch(
    IReadOnlyList<UsageEventRow> Events,
    IReadOnlyList<DeadLetterRow> DeadLetters,
    IReadOnlyList<RollupRow> Rollups,
    IReadOnlyList<ProgressRow> Progress)
{
    public int RecordCount => Events.Count + DeadLetters.Count;
}
