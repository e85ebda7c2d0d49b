using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Metering.ClickHouse.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Metering.ClickHouse;

/// <summary>
/// Applies the migrations embedded from <c>schemas/clickhouse/*.sql</c> to the client's database, in file-name
/// order, each once, recording them in <c>schema_migrations</c>. Every statement in those files is
/// <c>IF NOT EXISTS</c> or an <c>ALTER TABLE … ADD COLUMN</c> (18.16 has no <c>ADD COLUMN IF NOT EXISTS</c>), whose
/// "column already exists" error counts as applied; so two processes applying at the same time, or one that stopped
/// between a statement and its record, do no harm (both may record a file; the table is a ReplacingMergeTree and
/// readers group by name).
/// </summary>
public sealed partial class ClickHouseMigrator
{
    private const string ResourcePrefix = "migrations/";
    private const string MigrationsTable = "schema_migrations";

    private static readonly Lazy<List<ClickHouseMigration>> Embedded = new(LoadEmbedded);

    private readonly ClickHouseClient _client;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    public ClickHouseMigrator(ClickHouseClient client, ILogger<ClickHouseMigrator>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The embedded migrations in the order they are applied.</summary>
    public static IReadOnlyList<ClickHouseMigration> Migrations => Embedded.Value;

    /// <summary>
    /// Creates the database if needed, then applies every migration not yet recorded in <c>schema_migrations</c>.
    /// </summary>
    /// <returns>The names of the migrations applied by this call (empty when the database was up to date).</returns>
    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken cancellationToken = default)
    {
        var database = ClickHouseSql.Identifier(_client.Database);
        await _client.ExecuteAsync(
            "CREATE DATABASE IF NOT EXISTS " + database,
            new ClickHouseQueryOptions { Database = ClickHouseQueryOptions.NoDatabase },
            cancellationToken);
        await _client.ExecuteAsync(
            $"""
            CREATE TABLE IF NOT EXISTS {MigrationsTable}
            (
                name String,
                applied_at DateTime,
                checksum String
            )
            ENGINE = ReplacingMergeTree(applied_at)
            ORDER BY name
            """,
            cancellationToken: cancellationToken);

        var applied = await GetAppliedAsync(cancellationToken);
        var appliedNow = new List<string>();
        foreach (var migration in Migrations)
        {
            if (applied.TryGetValue(migration.Name, out var appliedChecksum))
            {
                if (!string.Equals(appliedChecksum, migration.Checksum, StringComparison.Ordinal))
                {
                    Log.MigrationChanged(_logger, migration.Name, database, appliedChecksum, migration.Checksum);
                }
                else
                {
                    Log.MigrationSkipped(_logger, migration.Name, database);
                }

                continue;
            }

            foreach (var statement in migration.Statements)
            {
                try
                {
                    await _client.ExecuteAsync(statement, cancellationToken: cancellationToken);
                }
                catch (ClickHouseException e) when (IsColumnAlreadyAdded(statement, e))
                {
                    Log.ColumnAlreadyAdded(_logger, migration.Name, database);
                }
            }

            await _client.InsertAsync(
                MigrationsTable,
                [new SchemaMigrationRow(migration.Name, _timeProvider.GetUtcNow(), migration.Checksum)],
                ClickHouseJsonContext.Default.SchemaMigrationRow,
                cancellationToken: cancellationToken);
            Log.MigrationApplied(_logger, migration.Name, database, migration.Statements.Count);
            appliedNow.Add(migration.Name);
        }

        Log.MigrationsDone(_logger, database, appliedNow.Count, Migrations.Count - appliedNow.Count);
        return appliedNow;
    }

    /// <summary>The migrations recorded in the client's database, by name, with the checksum recorded.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetAppliedAsync(CancellationToken cancellationToken = default)
    {
        var rows = await _client.QueryAsync(
            // Concurrent migrators may both record a file; the latest record wins.
            $"SELECT name, argMax(checksum, applied_at) AS applied_checksum FROM {MigrationsTable} GROUP BY name",
            ClickHouseJsonContext.Default.AppliedMigrationRow,
            cancellationToken: cancellationToken);
        return rows.ToDictionary(r => r.Name, r => r.AppliedChecksum, StringComparer.Ordinal);
    }

    /// <summary>
    /// Splits a migration file into statements: a statement ends with a line that ends with <c>;</c>; lines that
    /// start with <c>--</c> and blank lines are dropped.
    /// </summary>
    public static IReadOnlyList<string> SplitStatements(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = new List<string>();
        var current = new StringBuilder();
        foreach (var rawLine in sql.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = rawLine.TrimEnd();
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.EndsWith(';'))
            {
                current.Append(line.AsSpan(0, line.Length - 1));
                Flush();
            }
            else
            {
                current.Append(line).Append('\n');
            }
        }

        Flush();
        return statements;

        void Flush()
        {
            var statement = current.ToString().Trim();
            if (statement.Length > 0)
            {
                statements.Add(statement);
            }

            current.Clear();
        }
    }

    /// <summary>
    /// Whether <paramref name="statement"/> is an <c>ALTER TABLE … ADD COLUMN</c> that failed because the column is
    /// there already: applied before, by this migration in another process or an earlier run that was not recorded.
    /// </summary>
    internal static bool IsColumnAlreadyAdded(string statement, ClickHouseException exception) =>
        AddColumnStatement().IsMatch(statement)
        && exception.Code is ClickHouseErrorCodes.IllegalColumn or ClickHouseErrorCodes.DuplicateColumn
        && exception.ServerMessage.Contains("already exists", StringComparison.Ordinal);

    private static List<ClickHouseMigration> LoadEmbedded()
    {
        var assembly = typeof(ClickHouseMigrator).Assembly;
        var migrations = new List<ClickHouseMigration>();
        foreach (var resource in assembly.GetManifestResourceNames()
                     .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            var name = resource[ResourcePrefix.Length..];
            if (!MigrationName().IsMatch(name))
            {
                throw new InvalidOperationException($"Embedded migration '{name}' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded migration '{resource}' cannot be read.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var checksum = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var statements = SplitStatements(Encoding.UTF8.GetString(bytes));
            migrations.Add(new ClickHouseMigration(name, checksum, statements));
        }

        return migrations;
    }

    [GeneratedRegex(@"^[0-9]{4}_[A-Za-z0-9_]+\.sql$")]
    private static partial Regex MigrationName();

    [GeneratedRegex(@"^ALTER\s+TABLE\s+[A-Za-z_][A-Za-z0-9_.]*\s+ADD\s+COLUMN\s", RegexOptions.IgnoreCase)]
    private static partial Regex AddColumnStatement();
}
