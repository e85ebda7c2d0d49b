using System.Text;
using System.Text.Json.Serialization;
using Metering.ClickHouse;
using Metering.Events;

namespace Metering.Aggregator.Storage;

/// <summary>A row of <c>usage_events</c> (schemas/clickhouse/0001).</summary>
/// <remarks>
/// A struct, as are the rows of <c>rollups</c> and <c>adjustments</c>: one or more is made for every record and encoded at once.
/// </remarks>
internal readonly record struct UsageEventRow(
    ushort KafkaPartition,
    ulong KafkaOffset,
    string Account,
    string Source,
    string Id,
    string Type,
    string Subject,
    string Team,
    string GroupName,
    DateTimeOffset EventTime,
    ushort EventTimeMs,
    string IngestId,
    DateTimeOffset IngestedAt,
    ReadOnlyMemory<byte> Data,
    byte Duplicate,
    string Errors) : IRowBinaryRow<UsageEventRow>
{
    public static IReadOnlyList<string> Columns { get; } =
    [
        "kafka_partition", "kafka_offset", "account", "source", "id", "type", "subject", "team", "group_name", "event_time",
        "event_time_ms", "ingest_id", "ingested_at", "data", "duplicate", "errors",
    ];

    /// <summary>Reads the columns of <see cref="Columns"/>, in that order.</summary>
    public static UsageEventRow Read(ref RowBinaryReader reader) => new(
        reader.ReadUInt16(), reader.ReadUInt64(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(),
        reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadDateTime(), reader.ReadUInt16(), reader.ReadString(),
        reader.ReadDateTime(), reader.ReadStringBytes().ToArray(), reader.ReadUInt8(), reader.ReadString());

    public void WriteTo(RowBinaryWriter writer)
    {
        writer.WriteUInt16(KafkaPartition);
        writer.WriteUInt64(KafkaOffset);
        writer.WriteString(Account);
        writer.WriteString(Source);
        writer.WriteString(Id);
        writer.WriteString(Type);
        writer.WriteString(Subject);
        writer.WriteString(Team);
        writer.WriteString(GroupName);
        writer.WriteDateTime(EventTime);
        writer.WriteUInt16(EventTimeMs);
        writer.WriteString(IngestId);
        writer.WriteDateTime(IngestedAt);
        writer.WriteString(Data.Span);
        writer.WriteUInt8(Duplicate);
        writer.WriteString(Errors);
    }
}

/// <summary>A row of <c>rollups</c> (schemas/clickhouse/0002).</summary>
internal readonly record struct RollupRow(
    string Meter,
    string Account,
    string Team,
    string Subject,
    string GroupBy,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
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
    DateTimeOffset FinalizedAt,
    ulong Version,
    DateTimeOffset UpdatedAt) : IRowBinaryRow<RollupRow>
{
    public static IReadOnlyList<string> Columns { get; } =
    [
        "meter", "account", "team", "subject", "group_by", "window_start", "window_end", "kafka_partition", "event_count", "value_count",
        "value_sum", "value_min", "value_max", "latest_value", "latest_time_ms", "last_event_ms", "unique_values", "finalized_at", "version",
        "updated_at",
    ];

    /// <summary>Reads the columns of <see cref="Columns"/>, in that order.</summary>
    public static RollupRow Read(ref RowBinaryReader reader) => Read(ref reader, null);

    /// <summary>
    /// Reads the columns of <see cref="Columns"/>, in that order, taking the key's texts from <paramref name="strings"/>: a
    /// partition resumes from up to millions of rows that share a few thousand accounts, teams, subjects and group-bys.
    /// </summary>
    public static RollupRow Read(ref RowBinaryReader reader, Utf8StringCache? strings) => new(
        RowText.Read(ref reader, strings), RowText.Read(ref reader, strings), RowText.Read(ref reader, strings),
        RowText.Read(ref reader, strings), RowText.Read(ref reader, strings), reader.ReadDateTime(), reader.ReadDateTime(),
        reader.ReadUInt16(), reader.ReadUInt64(), reader.ReadUInt64(),
        reader.ReadFloat64(), reader.ReadFloat64(), reader.ReadFloat64(), reader.ReadFloat64(), reader.ReadInt64(), reader.ReadInt64(),
        reader.ReadStringArray(), reader.ReadDateTime(), reader.ReadUInt64(), reader.ReadDateTime());

    public void WriteTo(RowBinaryWriter writer)
    {
        writer.WriteString(Meter);
        writer.WriteString(Account);
        writer.WriteString(Team);
        writer.WriteString(Subject);
        writer.WriteString(GroupBy);
        writer.WriteDateTime(WindowStart);
        writer.WriteDateTime(WindowEnd);
        writer.WriteUInt16(KafkaPartition);
        writer.WriteUInt64(EventCount);
        writer.WriteUInt64(ValueCount);
        writer.WriteFloat64(ValueSum);
        writer.WriteFloat64(ValueMin);
        writer.WriteFloat64(ValueMax);
        writer.WriteFloat64(LatestValue);
        writer.WriteInt64(LatestTimeMs);
        writer.WriteInt64(LastEventMs);
        writer.WriteStringArray(UniqueValues);
        writer.WriteDateTime(FinalizedAt);
        writer.WriteUInt64(Version);
        writer.WriteDateTime(UpdatedAt);
    }
}

/// <summary>A row of <c>progress</c> (schemas/clickhouse/0003).</summary>
internal sealed record ProgressRow(
    string Topic,
    ushort KafkaPartition,
    ulong NextOffset,
    long WatermarkMs,
    ulong LogEndOffset,
    DateTimeOffset UpdatedAt) : IRowBinaryRow<ProgressRow>
{
    public static IReadOnlyList<string> Columns { get; } =
    [
        "topic", "kafka_partition", "next_offset", "watermark_ms", "log_end_offset", "updated_at",
    ];

    /// <summary>Reads the columns of <see cref="Columns"/>, in that order.</summary>
    public static ProgressRow Read(ref RowBinaryReader reader) =>
        new(reader.ReadString(), reader.ReadUInt16(), reader.ReadUInt64(), reader.ReadInt64(), reader.ReadUInt64(), reader.ReadDateTime());

    public void WriteTo(RowBinaryWriter writer)
    {
        writer.WriteString(Topic);
        writer.WriteUInt16(KafkaPartition);
        writer.WriteUInt64(NextOffset);
        writer.WriteInt64(WatermarkMs);
        writer.WriteUInt64(LogEndOffset);
        writer.WriteDateTime(UpdatedAt);
    }
}

/// <summary>A row of <c>dead_letters</c> (schemas/clickhouse/0004).</summary>
internal sealed record DeadLetterRow(
    string Topic,
    ushort KafkaPartition,
    ulong KafkaOffset,
    string Key,
    string PayloadBase64,
    string Reason,
    DateTimeOffset ReceivedAt) : IRowBinaryRow<DeadLetterRow>
{
    public static IReadOnlyList<string> Columns { get; } =
    [
        "topic", "kafka_partition", "kafka_offset", "key", "payload_base64", "reason", "received_at",
    ];

    public void WriteTo(RowBinaryWriter writer)
    {
        writer.WriteString(Topic);
        writer.WriteUInt16(KafkaPartition);
        writer.WriteUInt64(KafkaOffset);
        writer.WriteString(Key);
        writer.WriteString(PayloadBase64);
        writer.WriteString(Reason);
        writer.WriteDateTime(ReceivedAt);
    }
}

/// <summary>A row of <c>adjustments</c> (schemas/clickhouse/0005): one late event for one meter.</summary>
internal readonly record struct AdjustmentRow(
    string Meter,
    string Account,
    string Team,
    string Subject,
    string GroupBy,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    ushort KafkaPartition,
    ulong KafkaOffset,
    string Source,
    string Id,
    DateTimeOffset EventTime,
    ushort EventTimeMs,
    byte HasValue,
    double Value,
    string UniqueValue,
    DateTimeOffset ReceivedAt) : IRowBinaryRow<AdjustmentRow>
{
    public static IReadOnlyList<string> Columns { get; } =
    [
        "meter", "account", "team", "subject", "group_by", "window_start", "window_end", "kafka_partition", "kafka_offset", "source", "id",
        "event_time", "event_time_ms", "has_value", "value", "unique_value", "received_at",
    ];

    /// <summary>Reads the columns of <see cref="Columns"/>, in that order.</summary>
    public static AdjustmentRow Read(ref RowBinaryReader reader) => new(
        reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadDateTime(),
        reader.ReadDateTime(), reader.ReadUInt16(), reader.ReadUInt64(), reader.ReadString(), reader.ReadString(), reader.ReadDateTime(),
        reader.ReadUInt16(), reader.ReadUInt8(), reader.ReadFloat64(), reader.ReadString(), reader.ReadDateTime());

    public void WriteTo(RowBinaryWriter writer)
    {
        writer.WriteString(Meter);
        writer.WriteString(Account);
        writer.WriteString(Team);
        writer.WriteString(Subject);
        writer.WriteString(GroupBy);
        writer.WriteDateTime(WindowStart);
        writer.WriteDateTime(WindowEnd);
        writer.WriteUInt16(KafkaPartition);
        writer.WriteUInt64(KafkaOffset);
        writer.WriteString(Source);
        writer.WriteString(Id);
        writer.WriteDateTime(EventTime);
        writer.WriteUInt16(EventTimeMs);
        writer.WriteUInt8(HasValue);
        writer.WriteFloat64(Value);
        writer.WriteString(UniqueValue);
        writer.WriteDateTime(ReceivedAt);
    }
}

/// <summary>A row of <c>assignments</c> (schemas/clickhouse/0006) as the directory reads it.</summary>
internal sealed record AssignmentRow(string Account, string Subject, string Team, string GroupName, long ValidFromMs, long ValidToMs);

/// <summary>A row of <c>sink_errors</c> (schemas/clickhouse/0007): one outage of ClickHouse as the sink met it.</summary>
internal sealed record SinkErrorRow(
    string Instance,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    ulong FailedAttempts,
    string LastError) : IRowBinaryRow<SinkErrorRow>
{
    public static IReadOnlyList<string> Columns { get; } = ["instance", "started_at", "ended_at", "failed_attempts", "last_error"];

    public void WriteTo(RowBinaryWriter writer)
    {
        writer.WriteString(Instance);
        writer.WriteDateTime(StartedAt);
        writer.WriteDateTime(EndedAt);
        writer.WriteUInt64(FailedAttempts);
        writer.WriteString(LastError);
    }
}

/// <summary>The dedupe key of a counted event, read back to rebuild a partition's dedupe horizon.</summary>
internal sealed record DedupeKeyRow(
    ushort KafkaPartition, string Account, string Source, string Id, DateTimeOffset EventTime, ushort EventTimeMs)
{
    /// <summary>The columns <see cref="Read"/> reads, in its order.</summary>
    public const string Columns = "kafka_partition, account, source, id, event_time, event_time_ms";

    /// <summary>Reads the columns of <see cref="Columns"/>, taking the account and source from <paramref name="strings"/>.</summary>
    public static DedupeKeyRow Read(ref RowBinaryReader reader, Utf8StringCache? strings) => new(
        reader.ReadUInt16(), RowText.Read(ref reader, strings), RowText.Read(ref reader, strings), reader.ReadString(), reader.ReadDateTime(),
        reader.ReadUInt16());
}

/// <summary>Texts of rows read back that repeat from row to row.</summary>
internal static class RowText
{
    /// <summary>A <c>String</c> column's value: from <paramref name="strings"/> when it holds it.</summary>
    public static string Read(ref RowBinaryReader reader, Utf8StringCache? strings)
    {
        var utf8 = reader.ReadStringBytes();
        return strings?.Get(utf8) ?? Encoding.UTF8.GetString(utf8);
    }
}

/// <summary>
/// The decisions stored with a raw event beyond a partition's progress (written before a crash, not yet
/// covered by a progress row): a replay of that record repeats them, so attribution is never rewritten.
/// </summary>
internal sealed record StoredDecisionRow(ushort KafkaPartition, ulong KafkaOffset, string Team, string GroupName, byte Duplicate)
{
    /// <summary>The columns <see cref="Read"/> reads, in its order.</summary>
    public const string Columns = "kafka_partition, kafka_offset, team, group_name, duplicate";

    public static StoredDecisionRow Read(ref RowBinaryReader reader) =>
        new(reader.ReadUInt16(), reader.ReadUInt64(), reader.ReadString(), reader.ReadString(), reader.ReadUInt8());
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AssignmentRow))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
