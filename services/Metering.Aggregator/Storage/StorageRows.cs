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

/// <summary>A raw event read back to rebuild a partition's open windows.</summary>
internal sealed record StoredEventRow(
    ulong KafkaOffset,
    string Account,
    string Source,
    string Id,
    string Type,
    string Subject,
    string Team,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset EventTime,
    ushort EventTimeMs,
    string Data);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(UsageEventRow))]
[JsonSerializable(typeof(RollupRow))]
[JsonSerializable(typeof(ProgressRow))]
[JsonSerializable(typeof(DeadLetterRow))]
[JsonSerializable(typeof(StoredEventRow))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
