using Metering.ClickHouse;
using Metering.Kafka;
using Microsoft.Extensions.Options;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Pipeline;

/// <summary>
/// Reads the figures of <c>GET /v1/pipeline/health</c> from the tables the aggregator writes. Every query is an
/// aggregate (or one row per partition) and reads replaceable tables with <c>FINAL</c>, so rows a replay wrote
/// again count once (DESIGN.md §5.6).
/// </summary>
internal sealed class PipelineHealthQuery(ClickHouseClient clickHouse, IOptions<KafkaOptions> kafka)
{
    /// <summary>The team of usage without an assignment (DESIGN.md §5.3).</summary>
    private const string UnassignedTeam = "unassigned";

    private static readonly long MinUnixMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxUnixMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>The figures over [<paramref name="since"/>, now); see <see cref="PipelineHealthResponse"/> for each definition.</summary>
    /// <exception cref="ClickHouseException">ClickHouse reported an error (after retries, when transient).</exception>
    public async Task<PipelineHealthResponse> RunAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var topic = kafka.Value.Topic;
        var bound = Literal(WholeSeconds.AtOrAfter(since));
        var partitions = clickHouse.QueryAsync(
            $"""
            SELECT kafka_partition, next_offset, watermark_ms, log_end_offset, updated_at
            FROM progress FINAL
            WHERE topic = {Literal(topic)}
            ORDER BY kafka_partition
            """,
            QueryStorageJsonContext.Default.ProgressRow, cancellationToken: cancellationToken);
        var events = clickHouse.QueryAsync(
            $"""
            SELECT count() AS records,
                   countIf(duplicate != 0) AS duplicates,
                   countIf(duplicate = 0) AS counted,
                   countIf(duplicate = 0 AND team != {Literal(UnassignedTeam)}) AS attributed
            FROM usage_events FINAL
            WHERE ingested_at >= {bound}
            """,
            QueryStorageJsonContext.Default.EventCountsRow, cancellationToken: cancellationToken);
        // A window is final per partition; every rollup row of a (partition, window) is finalized in the same write.
        var finalized = $"toUInt32(finalized_at) > 0 AND finalized_at >= {bound}";
        var figures = clickHouse.QueryAsync(
            $"""
            SELECT
                (SELECT uniqExact(kafka_partition, kafka_offset) FROM adjustments FINAL WHERE received_at >= {bound}) AS late_events,
                (SELECT count() FROM adjustments FINAL
                 WHERE (kafka_partition, window_start) IN
                       (SELECT kafka_partition, window_start FROM rollups FINAL WHERE {finalized})) AS adjustments,
                (SELECT sum(event_count) FROM rollups FINAL WHERE {finalized}) AS final_events,
                (SELECT sum(failed_attempts) FROM sink_errors WHERE ended_at >= {bound}) AS sink_errors,
                (SELECT count() FROM dead_letters FINAL WHERE topic = {Literal(topic)} AND received_at >= {bound}) AS dead_letters
            """,
            QueryStorageJsonContext.Default.PipelineFiguresRow, cancellationToken: cancellationToken);

        var progress = await partitions;
        var counts = (await events).Single();
        var other = (await figures).Single();
        return new PipelineHealthResponse(
            topic,
            since,
            [.. progress.Select(ToPartition)],
            counts.Records == 0 ? 0 : (double)counts.Duplicates / counts.Records,
            counts.Counted == 0 ? null : (double)counts.Attributed / counts.Counted,
            other.LateEvents,
            other.FinalEvents == 0 ? null : (double)other.Adjustments / other.FinalEvents,
            other.SinkErrors,
            other.DeadLetters);
    }

    private static PartitionHealth ToPartition(ProgressRow row) => new(
        row.KafkaPartition,
        row.LogEndOffset > row.NextOffset ? row.LogEndOffset - row.NextOffset : 0,
        row.WatermarkMs == ProgressRow.NoWatermark
            ? null
            : DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(row.WatermarkMs, MinUnixMilliseconds, MaxUnixMilliseconds)),
        row.UpdatedAt);
}
