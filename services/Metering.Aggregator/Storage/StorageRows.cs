using System.Text.Json.Serialization;
using Metering.ClickHouse;

namespace Metering.Aggregator.Storage;

/// <summary>A row of <c>usage_events</c> (schemas/clickhouse/0001).</summary>
internal sealed record UsageEventRow(
    ushort KafkaPartition,
    ulong KafkaOffset,
    string Account,
    string Source,
    string Id,
    string Type,
    string Subject,
    string Team,
    string GroupName,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset EventTime,
    ushort EventTimeMs,
    string IngestId,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset IngestedAt,
    string Data,
    byte Duplicate,
    string Errors);

/// <summary>A row of <c>rollups</c> (schemas/clickhouse/0002).</summary>
internal sealed record RollupRow(
    string Meter,
    string Account,
    string Team,
    string Subject,
    string GroupBy,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset WindowStart,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset WindowEnd,
    ushort KafkaPartition,
    ulong EventCount,
    ulong ValueCount,
    double ValueSum,
    double ValueMin,
    double ValueMax,
    double LatestValue,
    long LatestTimeMs,
    long LastEventMs,
    IReadOnlyList<string> UniqueValues,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset FinalizedAt,
    ulong Version,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset UpdatedAt);

/// <summary>A row of <c>progress</c> (schemas/clickhouse/0003).</summary>
internal sealed record ProgressRow(
    string Topic,
    ushort KafkaPartition,
    ulong NextOffset,
    long WatermarkMs,
    ulong LogEndOffset,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset UpdatedAt);

/// <summary>A row of <c>dead_letters</c> (schemas/clickhouse/0004).</summary>
internal sealed record DeadLetterRow(
    string Topic,
    ushort KafkaPartition,
    ulong KafkaOffset,
    string Key,
    string PayloadBase64,
    string Reason,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset ReceivedAt);

/// <summary>A row of <c>adjustments</c> (schemas/clickhouse/0005): one late event for one meter.</summary>
internal sealed record AdjustmentRow(
    string Meter,
    string Account,
    string Team,
    string Subject,
    string GroupBy,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset WindowStart,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset WindowEnd,
    ushort KafkaPartition,
    ulong KafkaOffset,
    string Source,
    string Id,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset EventTime,
    ushort EventTimeMs,
    byte HasValue,
    double Value,
    string UniqueValue,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset ReceivedAt);

/// <summary>A row of <c>assignments</c> (schemas/clickhouse/0006) as the directory reads it.</summary>
internal sealed record AssignmentRow(string Account, string Subject, string Team, string GroupName, long ValidFromMs, long ValidToMs);

/// <summary>A row of <c>sink_errors</c> (schemas/clickhouse/0007): one outage of ClickHouse as the sink met it.</summary>
internal sealed record SinkErrorRow(
    string Instance,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset StartedAt,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset EndedAt,
    ulong FailedAttempts,
    string LastError);

/// <summary>The dedupe key of a counted event, read back to rebuild a partition's dedupe horizon.</summary>
internal sealed record DedupeKeyRow(
    ushort KafkaPartition,
    string Account,
    string Source,
    string Id,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset EventTime,
    ushort EventTimeMs);

/// <summary>
/// The decisions stored with a raw event beyond a partition's progress (written before a crash, not yet
/// covered by a progress row): a replay of that record repeats them, so attribution is never rewritten.
/// </summary>
internal sealed record StoredDecisionRow(ushort KafkaPartition, ulong KafkaOffset, string Team, string GroupName, byte Duplicate);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(UsageEventRow))]
[JsonSerializable(typeof(RollupRow))]
[JsonSerializable(typeof(ProgressRow))]
[JsonSerializable(typeof(DeadLetterRow))]
[JsonSerializable(typeof(AdjustmentRow))]
[JsonSerializable(typeof(AssignmentRow))]
[JsonSerializable(typeof(DedupeKeyRow))]
[JsonSerializable(typeof(StoredDecisionRow))]
[JsonSerializable(typeof(SinkErrorRow))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
