using Metering.Aggregator.Storage;

namespace Metering.Aggregator.Attribution;

/// <summary>
/// The effective-dated assignments of the <c>assignments</c> table (DESIGN.md §5.3), held in memory and
/// replaced whole by <see cref="Replace"/>. An event gets the team whose validity holds its event
/// time; where assignments overlap, the one that starts latest wins; no assignment means
/// <see cref="Unassigned"/>.
/// </summary>
internal sealed class TeamDirectory
{
    /// <summary>The team of events whose subject has no team at event time.</summary>
    public const string Unassigned = "unassigned";

    private volatile Dictionary<(string Account, string Subject), AssignmentRow[]> _bySubject = [];

    /// <summary>Assignments held.</summary>
    public int Count { get; private set; }

    /// <summary>The team and group of <paramref name="subject"/> of <paramref name="account"/> at <paramref name="eventTimeMs"/>.</summary>
    public (string Team, string Group) Resolve(string account, string? subject, long eventTimeMs)
    {
        if (subject is null || !_bySubject.TryGetValue((account, subject), out var assignments))
        {
            return (Unassigned, "");
        }

        // Sorted by ValidFromMs: the last one that holds the time starts latest.
        for (var i = assignments.Length - 1; i >= 0; i--)
        {
            var a = assignments[i];
            if (a.ValidFromMs <= eventTimeMs && eventTimeMs < a.ValidToMs)
            {
                return (a.Team, a.GroupName);
            }
        }

        return (Unassigned, "");
    }

    /// <summary>Replaces the assignments held with <paramref name="assignments"/>.</summary>
    public void Replace(IEnumerable<AssignmentRow> assignments)
    {
        var bySubject = assignments
            .GroupBy(a => (a.Account, a.Subject))
            .ToDictionary(g => g.Key, g => g.OrderBy(a => a.ValidFromMs).ToArray());
        Count = bySubject.Values.Sum(a => a.Length);
        _bySubject = bySubject;
    }
}
