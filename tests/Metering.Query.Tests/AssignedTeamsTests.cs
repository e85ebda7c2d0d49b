using Metering.Query.Assignments;
using Metering.Query.Subjects;

namespace Metering.Query.Tests;

/// <summary>The teams the directory gives a subject within a range, by the rule attribution uses: the assignment that starts latest wins.</summary>
public sealed class AssignedTeamsTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [TestCase(-10, -5, null, TestName = "InRange_AssignmentBeforeTheRange_NoTeam")]
    [TestCase(-10, 0, null, TestName = "InRange_AssignmentEndingAtFrom_NoTeam")]
    [TestCase(10, null, null, TestName = "InRange_AssignmentStartingAtTo_NoTeam")]
    [TestCase(-10, 1, "a", TestName = "InRange_AssignmentEndingInside_ItsTeam")]
    [TestCase(9, null, "a", TestName = "InRange_AssignmentStartingInside_ItsTeam")]
    public void InRange_OneAssignment(int fromDays, int? toDays, string? expected)
    {
        var teams = AssignedTeams.InRange([Assignment("u", "a", fromDays, toDays)], Day, Day.AddDays(10));

        Assert.That(teams.GetValueOrDefault("u"), expected is null ? Is.Null : Is.EquivalentTo(new[] { expected }));
    }

    [Test]
    public void InRange_OpenEndedAssignmentReplacedBeforeTheRange_OnlyTheLaterTeam()
    {
        var teams = AssignedTeams.InRange([Assignment("u", "old", -30, null), Assignment("u", "new", -1, null)], Day, Day.AddDays(10));

        Assert.That(teams["u"], Is.EquivalentTo(Expected("new")));
    }

    [Test]
    public void InRange_LaterAssignmentCoversOnlyPartOfTheRange_BothTeams()
    {
        var teams = AssignedTeams.InRange([Assignment("u", "old", -30, null), Assignment("u", "new", 2, 3)], Day, Day.AddDays(10));

        Assert.That(teams["u"], Is.EquivalentTo(Expected("old", "new")));
    }

    [Test]
    public void InRange_LaterAssignmentsCoverTheRangeEndToEnd_OnlyTheirTeams()
    {
        var teams = AssignedTeams.InRange(
            [Assignment("u", "old", -30, null), Assignment("u", "first", -1, 4), Assignment("u", "second", 4, 12)], Day, Day.AddDays(10));

        Assert.That(teams["u"], Is.EquivalentTo(Expected("first", "second")));
    }

    [Test]
    public void InRange_GapBetweenLaterAssignments_TheEarlierTeamApplies()
    {
        var teams = AssignedTeams.InRange(
            [Assignment("u", "old", -30, null), Assignment("u", "first", -1, 4), Assignment("u", "second", 5, 12)], Day, Day.AddDays(10));

        Assert.That(teams["u"], Is.EquivalentTo(Expected("old", "first", "second")));
    }

    [Test]
    public void InRange_SeveralSubjects_EachTheirOwn()
    {
        var teams = AssignedTeams.InRange([Assignment("u", "a", -1, null), Assignment("v", "b", -1, null)], Day, Day.AddDays(1));

        Assert.That(teams.ToDictionary(t => t.Key, t => t.Value.Single()), Is.EqualTo(new Dictionary<string, string> { ["u"] = "a", ["v"] = "b" }));
    }

    private static AssignmentResponse Assignment(string subject, string team, int fromDays, int? toDays) =>
        new("acct", subject, team, null, Day.AddDays(fromDays), toDays is { } to ? Day.AddDays(to) : null);

    private static string[] Expected(params string[] values) => values;
}
