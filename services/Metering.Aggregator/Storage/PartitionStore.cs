using Metering.ClickHouse;
using Metering.Windowing;
using Microsoft.Extensions.Options;

namespace Metering.Aggregator.Storage;

/// <summary>
/// Reads what a partition's new owner needs from ClickHouse (DESIGN.md §5.6). Open windows are rebuilt
/// from their cumulative rollup rows, not from raw events: a row's version names the last offset it
/// includes, so a record replayed after a crash is applied only to the rows that do not hold it yet.
/// </summary>
internal sealed class PartitionStore(ClickHouseClient clickHouse, WindowPolicy policy, IOptions<AggregatorOptions> options)
{
    public async Task<PartitionSnapshot> LoadAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        var progress = await clickHouse.QueryAsync(
            $"""
            SELECT topic, kafka_partition, next_offset, watermark_ms, log_end_offset, updated_at
            FROM progress FINAL
            WHERE topic = {ClickHouseSql.Literal(topic)} AND kafka_partition = {ClickHouseSql.Literal(partition)}
            """,
            StorageJsonContext.Default.ProgressRow, cancellationToken: cancellationToken);
        var (nextOffset, watermarkMs) = progress.Count == 0
            ? (0L, long.MinValue)
            : ((long)progress[0].NextOffset, progress[0].WatermarkMs);

        var openFrom = watermarkMs == long.MinValue
            ? DateTimeOffset.UnixEpoch
            : DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, policy.EarliestOpenStart(watermarkMs)));
        var rollups = await clickHouse.QueryAsync(
            $"""
            SELECT meter, account, team, subject, group_by, window_start, window_end, kafka_partition, event_count,
                   value_count, value_sum, value_min, value_max, latest_value, latest_time_ms, unique_values,
                   finalized_at, version, updated_at
            FROM rollups FINAL
            WHERE kafka_partition = {ClickHouseSql.Literal(partition)} AND window_start >= {ClickHouseSql.Literal(openFrom)}
            """,
            StorageJsonContext.Default.RollupRow, cancellationToken: cancellationToken);

        var horizonFrom = watermarkMs == long.MinValue
            ? DateTimeOffset.UnixEpoch
            : DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, watermarkMs - (long)options.Value.DedupeHorizon.TotalMilliseconds));
        var dedupeKeys = progress.Count == 0
            ? []
            : await clickHouse.QueryAsync(
                $"""
                SELECT account, source, id, event_time, event_time_ms
                FROM usage_events FINAL
                WHERE kafka_partition = {ClickHouseSql.Literal(partition)} AND kafka_offset < {ClickHouseSql.Literal(nextOffset)}
                  AND event_time >= {ClickHouseSql.Literal(horizonFrom)} AND duplicate = 0
                """,
                StorageJsonContext.Default.DedupeKeyRow, cancellationToken: cancellationToken);

        var tail = await clickHouse.QueryAsync(
            $"""
            SELECT kafka_offset, team, group_name, duplicate
            FROM usage_events FINAL
            WHERE kafka_partition = {ClickHouseSql.Literal(partition)} AND kafka_offset >= {ClickHouseSql.Literal(nextOffset)}
            """,
            StorageJsonContext.Default.StoredDecisionRow, cancellationToken: cancellationToken);
        return new PartitionSnapshot(nextOffset, watermarkMs, rollups, dedupeKeys, tail);
    }
}
