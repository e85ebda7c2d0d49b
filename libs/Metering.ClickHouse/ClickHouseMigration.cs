namespace Metering.ClickHouse;

/// <summary>One embedded migration file (<c>schemas/clickhouse/NNNN_name.sql</c>) split into statements.</summary>
/// <param name="Name">The file name, e.g. <c>0001_create_usage_events.sql</c>; recorded in <c>schema_migrations</c>.</param>
/// <param name="Checksum">SHA-256 of the file (lower-case hex).</param>
/// <param name="Statements">The statements, without comments and the terminating <c>;</c>.</param>
public sealed record ClickHouseMigration(string Name, string Checksum, IReadOnlyList<string> Statements);
