using System.Text.Json.Serialization;
using Metering.ClickHouse;

namespace Metering.Query.Pipeline;

/// <summary>The latest row of <c>progress</c> (schemas/clickhouse/0003) of one partition.</summary>
internal sealed record ProgressRow(
    ushort KafkaPartition,
    ulong NextOffset,
    long WatermarkMs,
    ulong LogEndOffset,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset UpdatedAt)
{
    /// <summary>The <c>watermark_ms</c> of a partition that has seen no event yet.</summary>
    public const long NoWatermark = long.MinValue;
}
