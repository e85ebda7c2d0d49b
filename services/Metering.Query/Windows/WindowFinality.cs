using Metering.ClickHouse;
using Metering.Kafka;
using Microsoft.Extensions.Options;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Windows;

/// <summary>
/// Which windows are final (DESIGN.md §5.4): a base window is final once the watermark of the partition that holds its
/// events passes its end plus the allowed lateness. Reads each partition's watermark from the progress rows: a
/// partition's watermark never goes back (a new owner resumes from the last progress row), so the largest is the latest,
/// also among rows with the same offset (an idle partition's clock moves the watermark without new records).
/// </summary>
internal sealed class WindowFinality(ClickHouseClient clickHouse, IOptions<KafkaOptions> kafka, IOptions<RollupWindowOptions> windows)
{
    /// <summary>The watermarks of every partition of the topic that has progress, as of now.</summary>
    /// <exception cref="ClickHouseException">ClickHouse reported an error (after retries, when transient).</exception>
    public async Task<Watermarks> LoadAsync(CancellationToken cancellationToken)
    {
        var rows = await clickHouse.QueryAsync(
            $"""
            SELECT kafka_partition, max(watermark_ms) AS watermark_ms
            FROM progress
            WHERE topic = {Literal(kafka.Value.Topic)}
            GROUP BY kafka_partition
            """,
            QueryStorageJsonContext.Default.PartitionWatermarkRow, cancellationToken: cancellationToken);
        return new Watermarks(rows.ToDictionary(r => (int)r.KafkaPartition, r => r.WatermarkMs), windows.Value);
    }
}

/// <summary>The watermark of each partition, and the rule that turns them into finality.</summary>
internal sealed class Watermarks(IReadOnlyDictionary<int, long> byPartition, RollupWindowOptions windows)
{
    private readonly long _sizeMs = (long)windows.WindowSize.TotalMilliseconds;
    private readonly long _latenessMs = (long)windows.AllowedLateness.TotalMilliseconds;

    /// <summary>
    /// Whether every base window that overlaps [.., <paramref name="end"/>) is final in each of
    /// <paramref name="partitions"/> (those holding the rows); with none, in every partition there is.
    /// </summary>
    public bool IsFinal(DateTimeOffset end, IEnumerable<int> partitions)
    {
        var endMs = end.ToUnixTimeMilliseconds();
        var lastWindowEndMs = endMs % _sizeMs == 0 ? endMs : endMs - (endMs % _sizeMs) + _sizeMs;
        var needed = lastWindowEndMs + _latenessMs;
        var any = false;
        foreach (var partition in partitions)
        {
            any = true;
            if (!byPartition.TryGetValue(partition, out var watermark) || watermark < needed)
            {
                return false;
            }
        }

        return any ? true : byPartition.Count > 0 && byPartition.Values.All(w => w >= needed);
    }
}
