using Metering.ClickHouse;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Assignments;

/// <summary>
/// Writes and reads the <c>assignments</c> table. Values reach the SQL only through
/// <see cref="ClickHouseSql.Literal(string)"/>; rows are written as JSONEachRow.
/// </summary>
internal sealed class AssignmentStore(ClickHouseClient clickHouse, WriteVersions versions)
{
    private const string Table = "assignments";

    /// <summary>
    /// Writes every assignment in one insert (atomic: fewer than 1,048,576 rows, and the table has one
    /// partition). A rewrite of the same (account, subject, validFrom) replaces the earlier one because its
    /// version, the write time in Unix milliseconds, is higher.
    /// </summary>
    public async Task<int> WriteAsync(IReadOnlyList<Assignment> assignments, CancellationToken cancellationToken)
    {
        var (now, version) = versions.Next();
        var rows = assignments
            .Select(a => new AssignmentRow(
                a.Account, a.Subject, a.Team, a.Group, a.ValidFrom.ToUnixTimeMilliseconds(),
                a.ValidTo?.ToUnixTimeMilliseconds() ?? AssignmentRow.OpenEnded, now, version))
            .ToList();
        await clickHouse.InsertAsync(Table, rows, QueryStorageJsonContext.Default.AssignmentRow, cancellationToken: cancellationToken);
        return rows.Count;
    }

    /// <summary>The current assignments of <paramref name="account"/> (and <paramref name="subject"/>), by subject and validFrom.</summary>
    public async Task<IReadOnlyList<AssignmentResponse>> ReadAsync(string account, string? subject, CancellationToken cancellationToken)
    {
        var filters = $"account = {Literal(account)}" + (subject is null ? "" : $" AND subject = {Literal(subject)}");
        var rows = await clickHouse.QueryAsync(
            $"""
            SELECT account, subject, team, group_name, valid_from_ms, valid_to_ms, recorded_at, version
            FROM {Table} FINAL
            WHERE {filters}
            ORDER BY account, subject, valid_from_ms
            """,
            QueryStorageJsonContext.Default.AssignmentRow, cancellationToken: cancellationToken);
        return [.. rows.Select(ToResponse)];
    }

    private static AssignmentResponse ToResponse(AssignmentRow row) => new(
        row.Account,
        row.Subject,
        row.Team,
        row.GroupName.Length == 0 ? null : row.GroupName,
        DateTimeOffset.FromUnixTimeMilliseconds(row.ValidFromMs),
        row.ValidToMs == AssignmentRow.OpenEnded ? null : DateTimeOffset.FromUnixTimeMilliseconds(row.ValidToMs));
}
