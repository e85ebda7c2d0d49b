using Metering.Query.Assignments;

namespace Metering.Query.Subjects;

/// <summary>
/// The teams the directory gives each subject at some time in a range, by the rule attribution uses (DESIGN.md §5.3,
/// TeamDirectory in the aggregator): at an instant, of the assignments that hold it, the one that starts latest applies.
/// An assignment that overlaps the range but is covered there by later-starting ones gives no team.
/// </summary>
internal static class AssignedTeams
{
    /// <summary>Subject → the teams of its assignments that apply at some instant of [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static Dictionary<string, HashSet<string>> InRange(IEnumerable<AssignmentResponse> assignments, DateTimeOffset from, DateTimeOffset to)
    {
        var teams = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var subject in assignments.GroupBy(a => a.Subject, StringComparer.Ordinal))
        {
            var ordered = subject.OrderBy(a => a.ValidFrom).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                if (AppliesWithin(ordered[i], ordered.Skip(i + 1), from, to))
                {
                    if (!teams.TryGetValue(subject.Key, out var set))
                    {
                        teams[subject.Key] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(ordered[i].Team);
                }
            }
        }

        return teams;
    }

    /// <summary>
    /// Whether some instant of [<paramref name="from"/>, <paramref name="to"/>) is held by <paramref name="assignment"/>
    /// and by none of <paramref name="later"/> (the subject's assignments that start after it, in order of start).
    /// </summary>
    private static bool AppliesWithin(AssignmentResponse assignment, IEnumerable<AssignmentResponse> later, DateTimeOffset from, DateTimeOffset to)
    {
        var start = assignment.ValidFrom > from ? assignment.ValidFrom : from;
        var end = assignment.ValidTo is { } validTo && validTo < to ? validTo : to;
        var covered = start; // [start, covered) is held by later assignments
        foreach (var next in later)
        {
            if (covered >= end || next.ValidFrom >= end)
            {
                break;
            }

            if (next.ValidFrom > covered)
            {
                return true; // [covered, next.ValidFrom) is the assignment's own
            }

            if (next.ValidTo is not { } nextTo)
            {
                return false; // open-ended: covers the rest
            }

            covered = nextTo > covered ? nextTo : covered;
        }

        return covered < end;
    }
}
