namespace Metering.Query.Monthly;

/// <summary>
/// The answer of <c>GET /v1/reports/monthly</c> (API.md): finance's usage per account, team and meter for a calendar
/// month (UTC), final only when every window of the month is final, with late usage listed apart as adjustments.
/// </summary>
public sealed record MonthlyReport(
    string Month,
    string Status,
    DateTimeOffset GeneratedAt,
    string Checksum,
    IReadOnlyList<MonthlyReportRow> Rows,
    IReadOnlyList<MonthlyAdjustment> Adjustments);

/// <summary>One account × team × meter: the meter's aggregation over the month.</summary>
public sealed record MonthlyReportRow(string Account, string Team, string Meter, string Unit, double Value);

/// <summary>Late events of one window, folded with the meter's aggregation; never part of the row's value (DESIGN.md §5.5).</summary>
public sealed record MonthlyAdjustment(
    string Account, string Team, string Meter, string Unit, DateTimeOffset WindowStart, double Value, DateTimeOffset ReceivedAt);
