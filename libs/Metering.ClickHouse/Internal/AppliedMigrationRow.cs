namespace Metering.ClickHouse.Internal;

/// <summary>A migration recorded in <c>schema_migrations</c>, with the checksum it was applied with.</summary>
internal sealed record AppliedMigrationRow(string Name, string AppliedChecksum);
