using Metering.ClickHouse;
using Microsoft.Extensions.Options;

namespace Metering.Aggregator.Storage;

/// <summary>
/// Reads what a partition's new owner needs from ClickHouse (DESIGN.md §5.6): where to resume, the
/// watermark, and the stored events of the windows that are still open, up to that offset.
/// </summary>
internal sealed class PartitionStore(ClickHouseClient clickHouse, IOptions<AggregatorOptions> options)
{
    public async Task<(long NextOffset, long WatermarkMs, IReadOnlyList<StoredEventRow> Replay)> LoadAsync(
        string topic, int partition, CancellationToken cancellationToken)
    {
        var progress = await clickHouse.QueryAsync(
            $"""
            SELECT topic, kafka_partition, next_offset, watermark_ms, log_end_offset, updated_at
            FROM progress FINAL
            WHERE topic = {ClickHouseSql.Literal(topic)} AND kafka_partition = {ClickHouseSql.Literal(partition)}
            """,
            StorageJsonContext.Default.ProgressRow, cancellationToken: cancellationToken);
        if (progress.Count == 0)
        {
            return (0, long.MinValue, []);
        }

        var (nextOffset, watermarkMs) = ((long)progress[0].NextOffset, progress[0].WatermarkMs);
        // Windows that end after watermark - lateness can still change; their events are replayed.
        var o = options.Value;
        var openFrom = DateTimeOffset.FromUnixTimeMilliseconds(watermarkMs) - o.AllowedLateness - o.WindowSize;
        var replay = await clickHouse.QueryAsync(
            $"""
            SELECT kafka_offset, account, source, id, type, subject, team, event_time, event_time_ms, data
            FROM usage_events FINAL
            WHERE kafka_partition = {ClickHouseSql.Literal(partition)}
              AND kafka_offset < {ClickHouseSql.Literal(nextOffset)}
              AND event_time >= {ClickHouseSql.Literal(openFrom)}
              AND duplicate = 0
            ORDER BY kafka_offset
            """,
            StorageJsonContext.Default.StoredEventRow, cancellationToken: cancellationToken);
        return (nextOffset, watermarkMs, replay);
    }
}
