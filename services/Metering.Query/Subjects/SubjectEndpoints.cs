using Metering.ClickHouse;
using Metering.Events.Meters;
using Metering.Query.Accounts;
using Metering.Query.OpenApi;
using Metering.ServiceDefaults.Authentication;
using Microsoft.OpenApi;

namespace Metering.Query.Subjects;

/// <summary><c>GET /v1/accounts/{account}/subjects</c>: who of an account used what, for its admins (DESIGN.md §7).</summary>
internal static class SubjectEndpoints
{
    public static IEndpointRouteBuilder MapSubjectEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/accounts/{account}/subjects", GetSubjectsAsync)
            .WithName("GetSubjects")
            .WithSummary("The account's subjects over [from, to): active or not, teams, days used, average days per month, last access "
                + "and totals per meter; pseudonyms (hash:…) when the account's personal data is off.")
            .WithQueryParameters(
                new QueryParameter("from", "The start of the range (RFC 3339 with an offset), included.", Required: true, Format: "date-time"),
                new QueryParameter("to", $"The end of the range, excluded; at most {SubjectRequest.MaxRangeDays} days after from.",
                    Required: true, Format: "date-time"),
                new QueryParameter("team", "Only subjects with one of these teams in the range.", Repeatable: true),
                new QueryParameter("format", "json (the default) or csv; without it, Accept: text/csv answers CSV.", Values: ["json", "csv"]),
                new QueryParameter("sort", "What the subjects are ordered by (default subject); ties by subject.",
                    Values: ["subject", "lastAccess", "daysUsed"]),
                new QueryParameter("order", "asc (the default) or desc.", Values: ["asc", "desc"]))
            .Produces<SubjectsResponse>()
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
                {
                    response.Content ??= new Dictionary<string, OpenApiMediaType>();
                    response.Content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                }

                return Task.CompletedTask;
            })
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireApiKey(ApiRole.Admin, ApiRole.Finance, ApiRole.Viewer);
        return app;
    }

    private static async Task<IResult> GetSubjectsAsync(
        string account, HttpContext http, SubjectQuery query, MeterCatalog catalog, CancellationToken cancellationToken)
    {
        if (AccountAccess.Check(http, account) is { } refused)
        {
            return refused;
        }

        var acceptsCsv = http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
        if (SubjectRequest.Parse(account, http.Request.Query, acceptsCsv, out var error) is not { } request)
        {
            return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Bad Request");
        }

        try
        {
            var report = await query.RunAsync(request, cancellationToken);
            return request.Csv
                ? TypedResults.Text(SubjectCsv.Write(report, catalog.Meters.Select(m => m.Name)), SubjectCsv.ContentType)
                : TypedResults.Ok(report);
        }
        catch (Exception e) when (ClickHouseClient.IsTransient(e, cancellationToken))
        {
            return TypedResults.Problem($"ClickHouse cannot be read, so the subjects are unknown: {e.Message}",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable");
        }
    }
}
