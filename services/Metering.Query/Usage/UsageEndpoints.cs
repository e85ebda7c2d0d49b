using System.Globalization;
using System.Text;
using CsvHelper;
using Metering.ClickHouse;
using Metering.Events.Meters;
using Metering.Query.OpenApi;
using Metering.Query.Reports;
using Metering.ServiceDefaults;
using Metering.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace Metering.Query.Usage;

internal static class UsageEndpoints
{
    private static readonly string[] CsvColumns = ["window_start", "window_end", "value"];

    public static IEndpointRouteBuilder MapUsageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/meters/{meter}/usage", GetUsageAsync)
            .WithName("GetUsage")
            .WithSummary("Usage of a meter over [from, to), by window and group, each row provisional or final.")
            .WithQueryParameters(
                new QueryParameter("from", "Start of the range, inclusive (RFC 3339); default the first usage.", Format: "date-time"),
                new QueryParameter("to", "End of the range, exclusive (RFC 3339); default the end of the last usage.", Format: "date-time"),
                new QueryParameter("windowSize", "Windows of the answer; omitted: one row per group over the whole range.",
                    Values: Enum.GetNames<WindowSize>()),
                new QueryParameter("windowTimeZone", "IANA time zone in which days and months start; default UTC."),
                new QueryParameter("account", "Only these accounts.", Repeatable: true),
                new QueryParameter("team", "Only these teams.", Repeatable: true),
                new QueryParameter("subject", "Only these subjects.", Repeatable: true),
                new QueryParameter("filterGroupBy[name]", "Only these values of the meter's group-by 'name' (one parameter per name).",
                    Repeatable: true),
                new QueryParameter("groupBy", "Group by account, team, subject or a group-by of the meter.", Repeatable: true),
                new QueryParameter("status", "final: only rows whose every base window is final.", Values: ["any", "final"]),
                new QueryParameter("format", "json (default) or csv; Accept: text/csv also asks for csv.", Values: ["json", "csv"]))
            .Produces<UsageResponse>()
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireApiKey(ApiRole.Admin, ApiRole.Finance, ApiRole.Viewer);
        return app;
    }

    private static async Task<IResult> GetUsageAsync(
        string meter, HttpContext http, MeterCatalog catalog, UsageQuery query, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (catalog.Find(meter) is not { } definition)
        {
            // An unknown meter is a parameter the report cannot use, like an unknown zone: 400 with the reason.
            return Problem(StatusCodes.Status400BadRequest, $"meter: no meter named '{QueryReader.Shown(meter)}'; GET /v1/meters lists them");
        }

        var acceptsCsv = http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
        if (UsageRequest.Parse(definition, http.Request.Query, acceptsCsv, out var error) is not { } request)
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

        try
        {
            var (response, tooLarge) = await query.RunAsync(request, clock, cancellationToken);
            if (response is null)
            {
                return Problem(StatusCodes.Status400BadRequest, tooLarge!);
            }

            return request.Csv ? TypedResults.Text(ToCsv(request, response), "text/csv", Encoding.UTF8) : TypedResults.Ok(response);
        }
        catch (Exception e) when (ClickHouseClient.IsTransient(e, cancellationToken))
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, $"ClickHouse cannot be read, so usage is unknown right now: {e.Message}");
        }
    }

    /// <summary>API.md: <c>window_start,window_end,value</c> plus one column per group-by, in the order asked.</summary>
    private static string ToCsv(UsageRequest request, UsageResponse response)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions(), leaveOpen: true))
        {
            csv.WriteHeader([.. CsvColumns, .. request.GroupBy]);
            foreach (var row in response.Data)
            {
                csv.WriteRecord([
                    Rfc3339UtcConverter.Format(row.WindowStart), Rfc3339UtcConverter.Format(row.WindowEnd),
                    row.Value.ToString("R", CultureInfo.InvariantCulture),
                    .. request.GroupBy.Select(name => (name == "subject" ? row.Subject : row.GroupBy?[name]) ?? "")]);
            }
        }

        return text.ToString();
    }

    private static ProblemHttpResult Problem(int status, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: ReasonPhrases.GetReasonPhrase(status));
}
