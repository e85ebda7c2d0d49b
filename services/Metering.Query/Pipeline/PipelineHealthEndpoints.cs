using Metering.ClickHouse;
using Metering.Events;
using Metering.Query.OpenApi;
using Metering.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Metering.Query.Pipeline;

/// <summary><c>GET /v1/pipeline/health</c>: ingest lag per partition and the pipeline's figures for SREs (DESIGN.md §7).</summary>
internal static class PipelineHealthEndpoints
{
    /// <summary>The window of the figures when <c>since</c> is not given.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    public static IEndpointRouteBuilder MapPipelineHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/pipeline/health", GetHealthAsync)
            .WithName("GetPipelineHealth")
            .WithSummary("Lag, watermark and last progress per partition; duplicate rate, attribution success, late events, "
                + "finalization drift, sink errors and dead letters since a time (default the last 24 hours).")
            .WithQueryParameters(new QueryParameter("since", "The start of the figures' window (RFC 3339 UTC); default 24 hours ago.", Format: "date-time"))
            .Produces<PipelineHealthResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireApiKey(ApiRole.Sre, ApiRole.Admin);
        return app;
    }

    private static async Task<IResult> GetHealthAsync(
        HttpContext http, PipelineHealthQuery query, TimeProvider clock, CancellationToken cancellationToken)
    {
        // The figures are over every account; a key confined to one account (DESIGN.md §8) must not see the others' volume.
        if (http.GetApiKey().Account is { } scoped)
        {
            return Problem(StatusCodes.Status403Forbidden, "Forbidden",
                $"Pipeline health covers every account; this key sees only account '{scoped}'. Use a key without an account.");
        }

        var now = clock.GetUtcNow();
        var values = http.Request.Query["since"];
        var since = now - DefaultWindow;
        if (values.Count > 1)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request", "since: give it at most once");
        }

        if (values.Count == 1)
        {
            if (!CloudEventReader.TryParseRfc3339(values.ToString(), out var parsed))
            {
                return Problem(StatusCodes.Status400BadRequest, "Bad Request",
                    "since: not an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)");
            }

            if (parsed > now)
            {
                return Problem(StatusCodes.Status400BadRequest, "Bad Request", "since: must not be in the future");
            }

            since = parsed.ToUniversalTime();
        }

        try
        {
            return TypedResults.Ok(await query.RunAsync(since, cancellationToken));
        }
        catch (Exception e) when (ClickHouseClient.IsTransient(e, cancellationToken))
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                $"ClickHouse cannot be read, so the pipeline figures are unknown: {e.Message}");
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);
}
