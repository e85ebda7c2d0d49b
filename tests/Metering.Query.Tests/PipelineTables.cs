using Metering.ClickHouse;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Tests;

/// <summary>
/// Writes rows into the aggregator's tables of a test database with plain SQL, the values the aggregator writes
/// (schemas/clickhouse/*.sql): each insert is its own part, so a row written twice stays twice until a merge, as
/// after a replay.
/// </summary>
internal sealed class PipelineTables(ClickHouseClient client, string topic)
{
    private static readonly string[] Tables = ["usage_events", "rollups", "progress", "dead_letters", "adjustments", "sink_errors"];

    /// <summary>
    /// Empties the tables and stops their background merges, so rows written twice stay in separate parts and only
    /// <c>FINAL</c> (or an equivalent) counts them once.
    /// </summary>
    public async Task TruncateAsync()
    {
        foreach (var table in Tables)
        {
            await client.ExecuteAsync($"TRUNCATE TABLE {table}");
            await client.ExecuteAsync($"SYSTEM STOP MERGES {client.Database}.{table}");
        }
    }

    public Task ProgressAsync(int partition, ulong nextOffset, long watermarkMs, ulong logEndOffset, DateTimeOffset updatedAt, string? topicName = null) =>
        client.ExecuteAsync(
            "INSERT INTO progress (topic, kafka_partition, next_offset, watermark_ms, log_end_offset, updated_at) "
            + $"SELECT {Literal(topicName ?? topic)}, {Literal(partition)}, {Literal(nextOffset)}, {Literal(watermarkMs)}, "
            + $"{Literal(logEndOffset)}, {Literal(updatedAt)}");

    /// <summary>A raw event; <paramref name="team"/> <c>unassigned</c> when the subject had no team at event time.</summary>
    public Task EventAsync(int partition, ulong offset, DateTimeOffset ingestedAt, bool duplicate = false, string team = "render") =>
        client.ExecuteAsync(
            "INSERT INTO usage_events (kafka_partition, kafka_offset, account, source, id, type, subject, team, group_name, "
            + "event_time, event_time_ms, ingest_id, ingested_at, data, duplicate, errors) "
            + $"SELECT {Literal(partition)}, {Literal(offset)}, 'acme', 'tests', {Literal($"e-{partition}-{offset}")}, 'api.request', 'u-1', "
            + $"{Literal(team)}, '', {Literal(ingestedAt - TimeSpan.FromMinutes(1))}, 250, {Literal($"i-{partition}-{offset}")}, "
            + $"{Literal(ingestedAt)}, '', {Literal(duplicate)}, ''");

    /// <summary>A rollup row; provisional (<c>finalized_at</c> the zero time) unless <paramref name="finalizedAt"/> is given.</summary>
    public Task RollupAsync(
        string meter, int partition, DateTimeOffset windowStart, ulong eventCount, ulong lastOffset, DateTimeOffset? finalizedAt = null) =>
        client.ExecuteAsync(
            "INSERT INTO rollups (meter, account, team, subject, group_by, window_start, window_end, kafka_partition, event_count, "
            + "value_count, value_sum, value_min, value_max, latest_value, latest_time_ms, unique_values, finalized_at, version, updated_at) "
            + $"SELECT {Literal(meter)}, 'acme', 'render', 'u-1', '{{}}', {Literal(windowStart)}, {Literal(windowStart.AddHours(1))}, "
            + $"{Literal(partition)}, {Literal(eventCount)}, {Literal(eventCount)}, {Literal((double)eventCount)}, 1, 1, 1, "
            + $"{Literal(windowStart.ToUnixTimeMilliseconds())}, emptyArrayString(), {Literal(finalizedAt ?? DateTimeOffset.UnixEpoch)}, "
            + $"{Literal((lastOffset << 1) | (finalizedAt is null ? 0UL : 1UL))}, {Literal(finalizedAt ?? windowStart.AddHours(1))}");

    /// <summary>The adjustment of one late event for one meter, attributed to the window starting at <paramref name="windowStart"/>.</summary>
    public Task AdjustmentAsync(string meter, int partition, ulong offset, DateTimeOffset windowStart, DateTimeOffset receivedAt) =>
        client.ExecuteAsync(
            "INSERT INTO adjustments (meter, account, team, subject, group_by, window_start, window_end, kafka_partition, kafka_offset, "
            + "source, id, event_time, event_time_ms, has_value, value, unique_value, received_at) "
            + $"SELECT {Literal(meter)}, 'acme', 'render', 'u-1', '{{}}', {Literal(windowStart)}, {Literal(windowStart.AddHours(1))}, "
            + $"{Literal(partition)}, {Literal(offset)}, 'tests', {Literal($"e-{partition}-{offset}")}, {Literal(windowStart.AddMinutes(5))}, 0, "
            + $"1, 1, '', {Literal(receivedAt)}");

    public Task SinkErrorAsync(DateTimeOffset startedAt, DateTimeOffset endedAt, ulong failedAttempts) =>
        client.ExecuteAsync(
            "INSERT INTO sink_errors (instance, started_at, ended_at, failed_attempts, last_error) "
            + $"SELECT 'aggregator-1', {Literal(startedAt)}, {Literal(endedAt)}, {Literal(failedAttempts)}, 'Connection refused'");

    public Task DeadLetterAsync(int partition, ulong offset, DateTimeOffset receivedAt, string? topicName = null) =>
        client.ExecuteAsync(
            "INSERT INTO dead_letters (topic, kafka_partition, kafka_offset, key, payload_base64, reason, received_at) "
            + $"SELECT {Literal(topicName ?? topic)}, {Literal(partition)}, {Literal(offset)}, 'acme', 'bm90IGpzb24=', "
            + $"'not a CloudEvent: not valid JSON', {Literal(receivedAt)}");
}
