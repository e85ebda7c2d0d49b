namespace Metering.Query.Assignments;

/// <summary>
/// One validated team membership: <paramref name="Subject"/> of <paramref name="Account"/> belongs to
/// <paramref name="Team"/> (and <paramref name="Group"/>, empty for none) for event times in
/// [<paramref name="ValidFrom"/>, <paramref name="ValidTo"/>); an open end when <paramref name="ValidTo"/> is null.
/// </summary>
internal sealed record Assignment(
    string Account, string Subject, string Team, string Group, DateTimeOffset ValidFrom, DateTimeOffset? ValidTo);
