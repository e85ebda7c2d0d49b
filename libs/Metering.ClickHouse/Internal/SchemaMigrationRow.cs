using System.Text.Json.Serialization;

namespace Metering.ClickHouse.Internal;

/// <summary>A row of <c>schema_migrations</c>.</summary>
internal sealed record SchemaMigrationRow(
    string Name,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset AppliedAt,
    string Checksum);
