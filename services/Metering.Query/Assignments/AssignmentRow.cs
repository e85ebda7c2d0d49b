using System.Text.Json.Serialization;
using Metering.ClickHouse;

namespace Metering.Query.Assignments;

/// <summary>A row of the <c>assignments</c> table (schemas/clickhouse/0006_create_assignments.sql).</summary>
internal sealed record AssignmentRow(
    string Account,
    string Subject,
    string Team,
    string GroupName,
    long ValidFromMs,
    long ValidToMs,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset RecordedAt,
    ulong Version)
{
    /// <summary>The <c>valid_to_ms</c> of an open-ended assignment.</summary>
    public const long OpenEnded = long.MaxValue;
}
