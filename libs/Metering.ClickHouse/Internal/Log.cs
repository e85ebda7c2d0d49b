using Microsoft.Extensions.Logging;

namespace Metering.ClickHouse.Internal;

/// <summary>All log messages of Metering.ClickHouse; event ids are unique within the assembly.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "ClickHouse {Operation} attempt {Attempt} failed; retrying in {RetryDelay}",
        EventName = "ClickHouseRetrying")]
    public static partial void Retrying(ILogger logger, string operation, int attempt, TimeSpan retryDelay, Exception? exception);

    // The server's message is left out: it may quote the statement, and logs carry ids, not payloads.
    [LoggerMessage(2, LogLevel.Debug, "ClickHouse {Operation} failed with code {Code} (HTTP {StatusCode}, query id {QueryId})",
        EventName = "ClickHouseFailed")]
    public static partial void OperationFailed(ILogger logger, string operation, int code, int statusCode, string? queryId);

    [LoggerMessage(10, LogLevel.Information, "Applied ClickHouse migration {Migration} to database {Database} ({Statements} statements)",
        EventName = "ClickHouseMigrationApplied")]
    public static partial void MigrationApplied(ILogger logger, string migration, string database, int statements);

    [LoggerMessage(11, LogLevel.Debug, "ClickHouse migration {Migration} is already applied to database {Database}",
        EventName = "ClickHouseMigrationSkipped")]
    public static partial void MigrationSkipped(ILogger logger, string migration, string database);

    [LoggerMessage(12, LogLevel.Information,
        "ClickHouse database {Database} is up to date: {Applied} migrations applied now, {Skipped} were already applied",
        EventName = "ClickHouseMigrationsDone")]
    public static partial void MigrationsDone(ILogger logger, string database, int applied, int skipped);

    [LoggerMessage(13, LogLevel.Warning,
        "ClickHouse migration {Migration} was applied to database {Database} with checksum {AppliedChecksum}, but the embedded file now has {Checksum}; it is not applied again",
        EventName = "ClickHouseMigrationChanged")]
    public static partial void MigrationChanged(ILogger logger, string migration, string database, string appliedChecksum, string checksum);

    [LoggerMessage(14, LogLevel.Information,
        "ClickHouse migration {Migration} adds a column that database {Database} already has; counted as applied",
        EventName = "ClickHouseMigrationColumnExists")]
    public static partial void ColumnAlreadyAdded(ILogger logger, string migration, string database);

    [LoggerMessage(20, LogLevel.Warning,
        "ClickHouse at {Url} is not available yet (attempt {Attempt}, {Remaining} left before giving up); retrying in {RetryDelay}",
        EventName = "ClickHouseWaiting")]
    public static partial void WaitingForServer(ILogger logger, string url, int attempt, TimeSpan remaining, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(21, LogLevel.Information, "ClickHouse migrations at start are off (ClickHouse:ApplyMigrations = false)",
        EventName = "ClickHouseMigrationsOff")]
    public static partial void MigrationsOff(ILogger logger);

    [LoggerMessage(22, LogLevel.Error, "ClickHouse at {Url} did not become available within {StartupTimeout}",
        EventName = "ClickHouseUnavailable")]
    public static partial void ServerUnavailable(ILogger logger, string url, TimeSpan startupTimeout, Exception exception);
}
