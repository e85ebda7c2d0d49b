using Metering.ClickHouse;
using Metering.Events;
using Metering.Windowing;
using Microsoft.Extensions.Options;

namespace Metering.Aggregator.Storage;

/// <summary>
/// Reads what the new owner of some partitions needs from ClickHouse (DESIGN.md §5.6), in one query per
/// table for all of them, as RowBinary: a partition can have millions of rows to resume from. Open windows are
/// rebuilt from their cumulative rollup rows, not from raw
/// events: a row's version names the last offset it includes, so a record replayed after a crash is
/// applied only to the rows that do not hold it yet.
/// </summary>
internal sealed class PartitionStore(ClickHouseClient clickHouse, WindowPolicy policy, IOptions<AggregatorOptions> options)
{
    public async Task<IReadOnlyDictionary<int, PartitionSnapshot>> LoadAsync(
        string topic, IReadOnlyList<int> partitions, CancellationToken cancellationToken)
    {
        if (partitions.Count == 0)
        {
            return new Dictionary<int, PartitionSnapshot>();
        }

        var strings = new Utf8StringCache();
        var inPartitions = $"kafka_partition IN ({string.Join(", ", partitions.Select(ClickHouseSql.Literal))})";
        var progress = (await clickHouse.QueryRowBinaryAsync(
                $"""
                SELECT {string.Join(", ", ProgressRow.Columns)}
                FROM progress FINAL
                WHERE topic = {ClickHouseSql.Literal(topic)} AND {inPartitions}
                """,
                ProgressRow.Read, cancellationToken: cancellationToken))
            .ToDictionary(p => (int)p.KafkaPartition);
        var resume = partitions.ToDictionary(p => p, p => progress.TryGetValue(p, out var row)
            ? (NextOffset: (long)row.NextOffset, WatermarkMs: row.WatermarkMs)
            : (NextOffset: 0L, WatermarkMs: long.MinValue));

        // Windows that can still be open under a partition's watermark; the query reads from the earliest of them.
        var openFrom = resume.ToDictionary(r => r.Key, r => r.Value.WatermarkMs == long.MinValue
            ? DateTimeOffset.UnixEpoch
            : DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, policy.EarliestOpenStart(r.Value.WatermarkMs))));
        var rollups = await clickHouse.QueryRowBinaryAsync(
            $"""
            SELECT {string.Join(", ", RollupRow.Columns)}
            FROM rollups FINAL
            WHERE {inPartitions} AND window_start >= {ClickHouseSql.Literal(openFrom.Values.Min())}
            """,
            (ref RowBinaryReader reader) => RollupRow.Read(ref reader, strings), cancellationToken: cancellationToken);

        // Replays write identical raw rows, so these two need no FINAL: repeats are folded here.
        var horizon = (long)options.Value.DedupeHorizon.TotalMilliseconds;
        var withProgress = resume.Where(r => r.Value.NextOffset > 0).ToList();
        var dedupeKeys = withProgress.Count == 0
            ? []
            : await clickHouse.QueryRowBinaryAsync(
                $"""
                SELECT {DedupeKeyRow.Columns}
                FROM usage_events
                WHERE duplicate = 0 AND ({string.Join(" OR ", withProgress.Select(r =>
                    $"(kafka_partition = {ClickHouseSql.Literal(r.Key)} AND kafka_offset < {ClickHouseSql.Literal(r.Value.NextOffset)}"
                    + $" AND event_time >= {ClickHouseSql.Literal(DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, r.Value.WatermarkMs - horizon)))})"))})
                """,
                (ref RowBinaryReader reader) => DedupeKeyRow.Read(ref reader, strings),
                cancellationToken: cancellationToken);
        var tail = await clickHouse.QueryRowBinaryAsync(
            $"""
            SELECT {StoredDecisionRow.Columns}
            FROM usage_events
            WHERE {string.Join(" OR ", resume.Select(r =>
                $"(kafka_partition = {ClickHouseSql.Literal(r.Key)} AND kafka_offset >= {ClickHouseSql.Literal(r.Value.NextOffset)})"))}
            """,
            StoredDecisionRow.Read, cancellationToken: cancellationToken);

        return partitions.ToDictionary(p => p, p => new PartitionSnapshot(
            resume[p].NextOffset,
            resume[p].WatermarkMs,
            [.. rollups.Where(r => r.KafkaPartition == p && r.WindowStart >= openFrom[p])],
            [.. dedupeKeys.Where(k => k.KafkaPartition == p)],
            [.. tail.Where(d => d.KafkaPartition == p).DistinctBy(d => d.KafkaOffset)]));
    }
}
