using System.Globalization;
using Metering.Events.Meters;
using Metering.Query.Reports;

namespace Metering.Query.Monthly;

/// <summary>The validated parameters of <c>GET /v1/reports/monthly</c>.</summary>
internal sealed record MonthlyReportRequest(
    DateOnly Month,
    IReadOnlyList<string> Accounts,
    IReadOnlyList<string> Teams,
    IReadOnlyList<MeterDefinition> Meters,
    MonthlyReportFormat Format)
{
    private static readonly string[] Parameters = ["month", "account", "team", "meter", "format"];

    /// <summary>The month as API.md writes it, <c>2026-10</c>.</summary>
    public string MonthText => Month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public DateTimeOffset Start => new(Month.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset End => Start.AddMonths(1);

    /// <summary>The filters as <c>name=value</c> pairs, in a fixed order, for the exports' header block.</summary>
    public IEnumerable<(string Name, string Value)> Filters =>
        Accounts.Select(a => ("account", a)).Concat(Teams.Select(t => ("team", t))).Concat(Meters.Select(m => ("meter", m.Name)));

    /// <summary>Parses the query string; returns null with <paramref name="error"/> on the first problem.</summary>
    public static MonthlyReportRequest? Parse(IQueryCollection query, MeterCatalog catalog, string? accept, out string? error)
    {
        var q = new QueryReader(query);
        q.OnlyKnown(Parameters);
        var monthText = q.Single("month");
        DateOnly month = default;
        if (monthText is null)
        {
            q.Fail("month: required, as YYYY-MM (e.g. 2026-10)");
        }
        else if (!DateOnly.TryParseExact(monthText, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out month) || month.Year < 1970)
        {
            q.Fail($"month: '{QueryReader.Shown(monthText)}' is not a month as YYYY-MM (e.g. 2026-10)");
        }

        var meters = new List<MeterDefinition>();
        foreach (var name in q.Texts("meter"))
        {
            if (catalog.Find(name) is not { } meter)
            {
                q.Fail($"meter: no meter named '{QueryReader.Shown(name)}'; GET /v1/meters lists them");
                break;
            }

            meters.Add(meter);
        }

        var format = q.OneOf("format", "json", "csv", "xlsx") switch
        {
            "csv" => MonthlyReportFormat.Csv,
            "xlsx" => MonthlyReportFormat.Xlsx,
            "json" => MonthlyReportFormat.Json,
            _ when accept?.Contains(MonthlyReportExport.CsvContentType, StringComparison.OrdinalIgnoreCase) == true => MonthlyReportFormat.Csv,
            _ when accept?.Contains(MonthlyReportExport.XlsxContentType, StringComparison.OrdinalIgnoreCase) == true => MonthlyReportFormat.Xlsx,
            _ => MonthlyReportFormat.Json,
        };
        var request = new MonthlyReportRequest(month, q.Texts("account"), q.Texts("team"), meters, format);
        error = q.Error;
        return error is null ? request : null;
    }
}

internal enum MonthlyReportFormat
{
    Json,
    Csv,
    Xlsx,
}
