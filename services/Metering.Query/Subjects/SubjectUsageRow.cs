using Metering.Query.Reports;

namespace Metering.Query.Subjects;

/// <summary>One row of the subject report's SQL: the rollups of a subject and a meter, in the range or before it.</summary>
/// <param name="Subject">The subject, as stored (never empty).</param>
/// <param name="Meter">The meter, one of the catalog's.</param>
/// <param name="InRange">1 for the rows whose windows start in the range, 0 for those that start before it.</param>
/// <param name="Totals">What the rows add up to; the meter's value over them is computed from it as every report does.</param>
/// <param name="Days">The UTC calendar days (days since the Unix epoch) of the rows' windows, in the range only.</param>
/// <param name="Teams">The teams the rows' usage was attributed to, in the range only.</param>
/// <param name="LastAccessMs">The event time, in Unix milliseconds, of the latest event the rows count.</param>
internal sealed record SubjectUsageRow(
    string Subject,
    string Meter,
    byte InRange,
    RollupTotals Totals,
    IReadOnlyList<int> Days,
    IReadOnlyList<string> Teams,
    long LastAccessMs);
