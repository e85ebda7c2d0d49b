using Metering.Aggregator.Storage;

namespace Metering.Aggregator.Pipeline;

/// <summary>
/// Everything one flush writes, in the order of DESIGN.md §5.6: raw events, rollups, adjustments, dead
/// letters, then the progress rows that cover them. <see cref="Handoffs"/> complete once it is durable.
/// </summary>
internal sealed class WindowBatch
{
    public List<UsageEventRow> Events { get; } = [];

    public List<RollupRow> Rollups { get; } = [];

    public List<AdjustmentRow> Adjustments { get; } = [];

    public List<DeadLetterRow> DeadLetters { get; } = [];

    public List<ProgressRow> Progress { get; } = [];

    /// <summary>Revoked partitions whose owner waits until this batch is written.</summary>
    public List<TaskCompletionSource> Handoffs { get; } = [];

    /// <summary>Kafka records this batch covers.</summary>
    public int RecordCount => Events.Count + DeadLetters.Count;

    public bool IsEmpty => Events.Count + Rollups.Count + Adjustments.Count + DeadLetters.Count + Progress.Count + Handoffs.Count == 0;
}
