using Metering.Events.Meters;
using Metering.ServiceDefaults.Authentication;

namespace Metering.Query.Meters;

internal static class MeterEndpoints
{
    public static IEndpointRouteBuilder MapMeterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/meters", (MeterCatalog catalog) => TypedResults.Ok(catalog.Meters.Select(ToResponse).ToList()))
            .WithName("GetMeters")
            .WithSummary("The configured meters.")
            .Produces<IReadOnlyList<MeterResponse>>()
            .RequireApiKey(ApiRole.Admin, ApiRole.Finance, ApiRole.Viewer, ApiRole.Sre);
        return app;
    }

    public static string AggregationName(Aggregation aggregation) => aggregation switch
    {
        Aggregation.UniqueCount => "UNIQUE_COUNT",
        _ => aggregation.ToString().ToUpperInvariant(),
    };

    private static MeterResponse ToResponse(MeterDefinition meter) => new(
        meter.Name, meter.EventType, AggregationName(meter.Aggregation), meter.ValueProperty?.Text,
        meter.GroupBy.ToDictionary(g => g.Key, g => g.Value.Text), meter.Unit);
}
