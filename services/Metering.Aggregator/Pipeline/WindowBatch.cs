using Metering.Aggregator.Storage;
using Metering.ClickHouse;

namespace Metering.Aggregator.Pipeline;

/// <summary>
/// Everything one flush writes, in the order of DESIGN.md §5.6: raw events, rollups, adjustments, dead
/// letters, then the progress rows that cover them. <see cref="Handoffs"/> complete once it is durable.
/// </summary>
/// <remarks>
/// Rows are encoded as they are added: a batch of a hundred thousand records would otherwise hold as many row objects
/// (and their strings) until its insert, long enough for the collector to copy them all out of the young generation.
/// </remarks>
internal sealed class WindowBatch
{
    public RowBinaryRowsBuilder<UsageEventRow> Events { get; } = new("usage_events");

    public RowBinaryRowsBuilder<RollupRow> Rollups { get; } = new("rollups");

    public RowBinaryRowsBuilder<AdjustmentRow> Adjustments { get; } = new("adjustments");

    public RowBinaryRowsBuilder<DeadLetterRow> DeadLetters { get; } = new("dead_letters");

    public List<ProgressRow> Progress { get; } = [];

    /// <summary>Revoked partitions whose owner waits until this batch is written.</summary>
    public List<TaskCompletionSource> Handoffs { get; } = [];

    /// <summary>The size of its rows, encoded, in bytes.</summary>
    public long Length => (long)Events.Length + Rollups.Length + Adjustments.Length + DeadLetters.Length;

    /// <summary>Kafka records this batch covers.</summary>
    public int RecordCount => Events.Count + DeadLetters.Count;

    public bool IsEmpty => Events.Count + Rollups.Count + Adjustments.Count + DeadLetters.Count + Progress.Count + Handoffs.Count == 0;
}
