using System.Text.Json.Serialization;

namespace Metering.Query.Subjects;

/// <summary>The answer of <c>GET /v1/accounts/{account}/subjects</c> (API.md): the account's subjects over [from, to).</summary>
/// <param name="Account">The account asked for.</param>
/// <param name="From">The start of the range, included (UTC).</param>
/// <param name="To">The end of the range, excluded (UTC).</param>
/// <param name="PersonalData">
/// The account's personal-data setting: when false, every subject is its pseudonym (<c>hash:</c> and 32 hex characters)
/// and the subjects themselves are nowhere in the answer.
/// </param>
/// <param name="Subjects">Every subject of the account with usage in the range, or usage before it, or an assignment in it.</param>
public sealed record SubjectsResponse(string Account, DateTimeOffset From, DateTimeOffset To, bool PersonalData, IReadOnlyList<SubjectSummary> Subjects);

/// <summary>One subject of the report. Usage is what the rollups count: events of a meter, duplicates and late events left out.</summary>
/// <param name="Subject">The subject, or its pseudonym when the account's personal data is off.</param>
/// <param name="Teams">
/// The teams of the subject's usage in the range (as attributed at event time; <c>unassigned</c> included) and the teams its
/// assignments give it at some time in the range (where assignments overlap, the one that starts latest), in ordinal order.
/// </param>
/// <param name="Active">Whether the subject has usage in the range.</param>
/// <param name="DaysUsed">The UTC calendar days with usage in the range.</param>
/// <param name="AvgDaysPerMonth">DaysUsed divided by the number of UTC calendar months the range touches.</param>
/// <param name="LastAccess">The event time of the subject's latest event before the end of the range, to the millisecond; null without one.</param>
/// <param name="Totals">
/// Per meter with usage of the subject in the range, its value over the range as the usage endpoint computes it (SUM, COUNT,
/// AVG, MIN, MAX, LATEST, UNIQUE_COUNT); meters whose events carried no value are left out, except COUNT and UNIQUE_COUNT.
/// </param>
public sealed record SubjectSummary(
    string Subject,
    IReadOnlyList<string> Teams,
    bool Active,
    int DaysUsed,
    double AvgDaysPerMonth,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastAccess,
    IReadOnlyDictionary<string, double> Totals);
