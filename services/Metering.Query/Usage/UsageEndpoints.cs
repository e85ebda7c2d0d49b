using Metering.Events.Meters;
using Metering.ServiceDefaults.Authentication;

namespace Metering.Query.Usage;

internal static class UsageEndpoints
{
    public static IEndpointRouteBuilder MapUsageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/meters/{meter}/usage", GetUsageAsync)
            .WithName("GetUsage")
            .WithSummary("Usage of a meter over [from, to), by window and group, each row provisional or final.")
            .Produces<UsageResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireApiKey(ApiRole.Admin, ApiRole.Finance, ApiRole.Viewer);
        return app;
    }

    private static async Task<IResult> GetUsageAsync(
        string meter, HttpContext http, MeterCatalog catalog, UsageQuery query, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (catalog.Find(meter) is not { } definition)
        {
            return TypedResults.Problem($"meter: no meter named '{(meter.Length <= 64 ? meter : meter[..64])}'; GET /v1/meters lists them.",
                statusCode: StatusCodes.Status404NotFound, title: "Not Found");
        }

        if (UsageRequest.Parse(definition, http.Request.Query, out var error) is not { } request)
        {
            return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Bad Request");
        }

        var key = http.GetApiKey();
        if (key.Account is { } scoped)
        {
            if (request.Accounts.Any(a => a != scoped))
            {
                return TypedResults.Problem($"This key sees only account '{scoped}'.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
            }

            request = request with { Accounts = [scoped] };
        }

        return TypedResults.Ok(await query.RunAsync(request, clock, cancellationToken));
    }
}
