using System.Text.Json.Serialization;
using Metering.ClickHouse;

namespace Metering.Chaos.Generation;

/// <summary>
/// The effective-dated team assignments of a run, and the oracle's own reading of them. Of every five subjects three
/// keep one team, one changes team at <see cref="SwitchAtMs"/> (the middle of the run) and one has no assignment; events
/// without a subject, or of a subject without a team at event time, belong to <see cref="Unassigned"/>.
/// </summary>
internal sealed class TeamDirectory
{
    public const string Unassigned = "unassigned";

    private static readonly string[] Teams = ["render", "search", "billing", "mobile", "infra"];

    private readonly Dictionary<(string Account, string Subject), List<AssignmentRow>> _assignments = [];

    public TeamDirectory(int accounts, int subjects, long runStartMs, long switchAtMs)
    {
        SwitchAtMs = switchAtMs;
        var since = runStartMs - (long)TimeSpan.FromDays(30).TotalMilliseconds;
        for (var a = 0; a < accounts; a++)
        {
            for (var s = 0; s < subjects; s++)
            {
                var account = AccountName(a);
                var subject = SubjectName(s);
                var first = Teams[(a + s) % Teams.Length];
                var second = Teams[(a + s + 1) % Teams.Length];
                List<AssignmentRow> rows = (s % 5) switch
                {
                    3 => [Row(account, subject, first, since, switchAtMs), Row(account, subject, second, switchAtMs, long.MaxValue)],
                    4 => [],
                    _ => [Row(account, subject, first, since, long.MaxValue)],
                };
                if (rows.Count > 0)
                {
                    _assignments[(account, subject)] = rows;
                }
            }
        }
    }

    public long SwitchAtMs { get; }

    public IEnumerable<AssignmentRow> Rows => _assignments.Values.SelectMany(r => r);

    public static string AccountName(int index) => $"acct-{index:D3}";

    public static string SubjectName(int index) => $"u-{index:D3}";

    /// <summary>The team of <paramref name="subject"/> at <paramref name="timeMs"/>: the covering assignment that starts last.</summary>
    public string TeamOf(string account, string subject, long timeMs)
    {
        if (subject.Length == 0 || !_assignments.TryGetValue((account, subject), out var rows))
        {
            return Unassigned;
        }

        return rows.Where(r => r.ValidFromMs <= timeMs && timeMs < r.ValidToMs).MaxBy(r => r.ValidFromMs)?.Team ?? Unassigned;
    }

    private static AssignmentRow Row(string account, string subject, string team, long from, long to) =>
        new(account, subject, team, $"group-{team}", from, to, DateTimeOffset.FromUnixTimeMilliseconds(from), 1);

    /// <summary>A row of <c>assignments</c> (schemas/clickhouse/0006).</summary>
    internal sealed record AssignmentRow(
        string Account,
        string Subject,
        string Team,
        string GroupName,
        long ValidFromMs,
        long ValidToMs,
        [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset RecordedAt,
        ulong Version);
}
