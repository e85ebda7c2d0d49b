using Confluent.Kafka;
using Metering.ClickHouse;

namespace Metering.Aggregator.Pipeline;

/// <summary>A <see cref="WindowBatch"/> encoded for ClickHouse: the tables of rows, the progress that covers them.</summary>
internal sealed class EncodedBatch : IDisposable
{
    private EncodedBatch(
        IReadOnlyList<RowBinaryRows> rows, RowBinaryRows? progress, IReadOnlyList<TopicPartitionOffset> offsets, List<TaskCompletionSource> handoffs)
    {
        Rows = rows;
        Progress = progress;
        Offsets = offsets;
        Handoffs = handoffs;
    }

    /// <summary>Raw events, rollups, adjustments and dead letters: the tables that are written before progress.</summary>
    public IReadOnlyList<RowBinaryRows> Rows { get; }

    /// <summary>The progress rows, written once <see cref="Rows"/> are durable.</summary>
    public RowBinaryRows? Progress { get; }

    /// <summary>The Kafka offsets the progress rows make durable.</summary>
    public IReadOnlyList<TopicPartitionOffset> Offsets { get; }

    /// <summary>See <see cref="WindowBatch.Handoffs"/>.</summary>
    public List<TaskCompletionSource> Handoffs { get; }

    public static EncodedBatch Encode(WindowBatch batch, string topic)
    {
        var rows = new List<RowBinaryRows>(4);
        try
        {
            Add(rows, batch.Events);
            Add(rows, batch.Rollups);
            Add(rows, batch.Adjustments);
            Add(rows, batch.DeadLetters);
            var progress = batch.Progress.Count > 0 ? RowBinaryRows.Encode("progress", batch.Progress) : null;
            var offsets = batch.Progress.Select(p => new TopicPartitionOffset(topic, p.KafkaPartition, (long)p.NextOffset)).ToList();
            return new EncodedBatch(rows, progress, offsets, batch.Handoffs);
        }
        catch
        {
            rows.ForEach(r => r.Dispose());
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var rows in Rows)
        {
            rows.Dispose();
        }

        Progress?.Dispose();
    }

    private static void Add<T>(List<RowBinaryRows> rows, RowBinaryRowsBuilder<T> table)
        where T : IRowBinaryRow<T>
    {
        if (table.Build() is { } built)
        {
            rows.Add(built);
        }
    }
}
