using System.Globalization;
using CsvHelper;
using Metering.ServiceDefaults;

namespace Metering.Query.Subjects;

/// <summary>
/// The subject report as CSV (<c>format=csv</c> or <c>Accept: text/csv</c>): the same rows as the JSON answer, one
/// line each, numbers and times written as there (invariant culture, RFC 3339 UTC).
/// </summary>
internal static class SubjectCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>Between the teams of a subject in the <c>teams</c> column.</summary>
    public const string TeamSeparator = ";";

    private static readonly string[] Columns = ["subject", "teams", "active", "days_used", "avg_days_per_month", "last_access"];

    /// <summary>
    /// The CSV text: <c>subject, teams, active, days_used, avg_days_per_month, last_access</c>, then <c>total_&lt;meter&gt;</c>
    /// for each of <paramref name="meters"/> (empty where the subject has no value of it).
    /// </summary>
    public static string Write(SubjectsResponse report, IEnumerable<string> meters)
    {
        var names = meters.ToList();
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default, leaveOpen: true))
        {
            csv.WriteHeader([.. Columns, .. names.Select(n => "total_" + n)]);
            foreach (var row in report.Subjects)
            {
                csv.WriteRecord(
                [
                    row.Subject,
                    string.Join(TeamSeparator, row.Teams),
                    row.Active ? "true" : "false",
                    row.DaysUsed.ToString(CultureInfo.InvariantCulture),
                    Number(row.AvgDaysPerMonth),
                    row.LastAccess is { } at ? Rfc3339UtcConverter.Format(at) : "",
                    .. names.Select(n => row.Totals.TryGetValue(n, out var total) ? Number(total) : ""),
                ]);
            }
        }

        return text.ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
