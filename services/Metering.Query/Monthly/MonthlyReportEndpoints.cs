using System.Text;
using Metering.ClickHouse;
using Metering.Events.Meters;
using Metering.Query.OpenApi;
using Metering.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace Metering.Query.Monthly;

/// <summary><c>GET /v1/reports/monthly</c>: finance's usage per account, team and meter for a month (DESIGN.md §7).</summary>
internal static class MonthlyReportEndpoints
{
    public static IEndpointRouteBuilder MapMonthlyReportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/reports/monthly", GetMonthlyReportAsync)
            .WithName("GetMonthlyReport")
            .WithSummary("Usage per account, team and meter for a calendar month (UTC): final only when every window of the month is "
                + "final, adjustments listed apart, a sha256 checksum over the canonical rows; JSON, CSV or XLSX.")
            .WithQueryParameters(
                new QueryParameter("month", "The month, YYYY-MM (UTC).", Required: true),
                new QueryParameter("account", "Only these accounts.", Repeatable: true),
                new QueryParameter("team", "Only these teams.", Repeatable: true),
                new QueryParameter("meter", "Only these meters.", Repeatable: true),
                new QueryParameter("format", "json (default), csv or xlsx; Accept: text/csv or the XLSX media type also ask for them.",
                    Values: ["json", "csv", "xlsx"]))
            .Produces<MonthlyReport>()
            .Produces(StatusCodes.Status200OK, contentType: MonthlyReportExport.CsvContentType)
            .Produces(StatusCodes.Status200OK, contentType: MonthlyReportExport.XlsxContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireApiKey(ApiRole.Admin, ApiRole.Finance, ApiRole.Viewer);
        return app;
    }

    private static async Task<IResult> GetMonthlyReportAsync(
        HttpContext http, MeterCatalog catalog, MonthlyReportQuery query, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (MonthlyReportRequest.Parse(http.Request.Query, catalog, http.Request.Headers.Accept.ToString(), out var error) is not { } request)
        {
            return Problem(StatusCodes.Status400BadRequest, error!);
        }

        if (http.GetApiKey().Account is { } scoped)
        {
            if (request.Accounts.Any(a => a != scoped))
            {
                return Problem(StatusCodes.Status403Forbidden, $"This key sees only account '{scoped}'.");
            }

            request = request with { Accounts = [scoped] };
        }

        MonthlyReport report;
        try
        {
            report = await query.RunAsync(request, clock.GetUtcNow(), cancellationToken);
        }
        catch (Exception e) when (ClickHouseClient.IsTransient(e, cancellationToken))
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, $"ClickHouse cannot be read, so the report is unknown right now: {e.Message}");
        }

        var fileName = $"metering-{report.Month}";
        return request.Format switch
        {
            MonthlyReportFormat.Csv => TypedResults.File(Encoding.UTF8.GetBytes(MonthlyReportExport.ToCsv(report, request.Filters)),
                MonthlyReportExport.CsvContentType + "; charset=utf-8", fileName + ".csv"),
            MonthlyReportFormat.Xlsx => TypedResults.File(MonthlyReportExport.ToXlsx(report, request.Filters),
                MonthlyReportExport.XlsxContentType, fileName + ".xlsx"),
            _ => TypedResults.Ok(report),
        };
    }

    private static ProblemHttpResult Problem(int status, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: ReasonPhrases.GetReasonPhrase(status));
}
