namespace Metering.Query.Subjects;

/// <summary>One row of the subject report's SQL: the rollups of a subject and a meter, in the range or before it.</summary>
/// <param name="Subject">The subject, as stored (never empty).</param>
/// <param name="Meter">The meter, one of the catalog's.</param>
/// <param name="InRange">1 for the rows whose windows start in the range, 0 for those that start before it.</param>
/// <param name="HasValue">1 when the meter has a value over these rows (COUNT and UNIQUE_COUNT always).</param>
/// <param name="Value">The meter's value over these rows, as the usage endpoint computes it; 0 without one.</param>
/// <param name="Days">The UTC calendar days (days since the Unix epoch) of the rows' windows, in the range only.</param>
/// <param name="Teams">The teams the rows' usage was attributed to, in the range only.</param>
/// <param name="LastAccessMs">The event time, in Unix milliseconds, of the latest event the rows count.</param>
internal sealed record SubjectUsageRow(
    string Subject,
    string Meter,
    byte InRange,
    byte HasValue,
    double Value,
    IReadOnlyList<int> Days,
    IReadOnlyList<string> Teams,
    long LastAccessMs);
