using System.Text;
using System.Text.Json;
using Metering.Events;
using Metering.Ingest.Producing;
using Metering.Ingest.Telemetry;
using Metering.ServiceDefaults;
using Metering.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Metering.Ingest.Events;

internal static class EventEndpoints
{
    private static readonly string[] SingleContentTypes = ["application/cloudevents+json"];
    private static readonly string[] BatchContentTypes = ["application/cloudevents-batch+json"];
    private static readonly string[] EitherContentTypes = ["application/json"];

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/events", PostEventsAsync)
            .WithName("PostEvents")
            .WithSummary("Ingest usage events: one CloudEvent, or a batch; answers once every accepted event is in Kafka.")
            .Produces<IngestResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireApiKey(ApiRole.Ingest);
        return app;
    }

    private static async Task<IResult> PostEventsAsync(
        HttpContext http, EventProducer producer, IngestMetrics metrics, IOptions<IngestOptions> options, TimeProvider clock,
        ILogger<EventProducer> logger, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (!TryGetBodyShape(http.Request.ContentType, out var shape))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                "Content-Type must be application/cloudevents+json (one event), application/cloudevents-batch+json "
                + "(an array) or application/json (either).");
        }

        using var body = await RequestBody.ReadAsync(http.Request, limits.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload Too Large",
                $"The body is larger than {limits.MaxBodyBytes} bytes; send fewer events per request.");
        }

        var now = clock.GetUtcNow();
        var key = http.GetApiKey();
        IngestBatch batch;
        try
        {
            batch = IngestBatch.Read(body.Memory.Span, limits.MaxEventsPerRequest, now,
                new EventLimits { MaxFutureSkew = limits.MaxFutureSkew, MaxAge = limits.MaxEventAge },
                key.Account is { } account ? Encoding.UTF8.GetBytes(account) : null);
        }
        catch (JsonException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request", $"body: not valid JSON ({ex.Message})", []);
        }

        if (shape == BodyShape.Single && batch.IsArray || shape == BodyShape.Batch && !batch.IsArray)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request",
                shape == BodyShape.Single
                    ? "body: application/cloudevents+json carries one event object; send arrays as application/cloudevents-batch+json."
                    : "body: application/cloudevents-batch+json carries a JSON array of events.", []);
        }

        if (batch.Count > limits.MaxEventsPerRequest)
        {
            metrics.Refused(batch.Count, MeteringSemanticConventions.OutcomeValues.TooLarge);
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload Too Large",
                $"The request has {batch.Count} events; at most {limits.MaxEventsPerRequest} are allowed.");
        }

        if (batch.NamesOtherAccount)
        {
            metrics.Refused(batch.Count, MeteringSemanticConventions.OutcomeValues.Forbidden);
            return Problem(StatusCodes.Status403Forbidden, "Forbidden", $"This key may only send events of account '{key.Account}'.");
        }

        foreach (var rejection in batch.Rejected)
        {
            metrics.Rejected(rejection.Reason);
        }

        if (batch.Accepted.Count == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request", "No event in the request is valid.", batch.Rejected);
        }

        var producing = clock.GetTimestamp();
        try
        {
            // Not the request's token: once produced, the events go to the broker whether or not
            // the client still waits for the answer.
            await producer.ProduceAsync(batch.Accepted, CancellationToken.None);
            metrics.Produced(batch.Accepted.Count, clock.GetElapsedTime(producing), errorType: null);
            metrics.Accepted(batch.Accepted.Count);
        }
        catch (BrokerUnavailableException ex)
        {
            metrics.Produced(batch.Accepted.Count, clock.GetElapsedTime(producing), "broker_unavailable");
            metrics.Refused(batch.Accepted.Count, MeteringSemanticConventions.OutcomeValues.Unavailable);
            Log.BrokerUnavailable(logger, batch.Accepted.Count, ex.Message);
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(limits.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                $"The event broker cannot take events right now ({ex.Message}); none of this request was accepted. Retry later.");
        }

        return TypedResults.Accepted((string?)null, new IngestResponse(batch.Accepted.Count, batch.Rejected));
    }

    private static bool TryGetBodyShape(string? contentType, out BodyShape shape)
    {
        shape = BodyShape.Either;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var name = media.MediaType.Value ?? "";
        if (media.Charset.HasValue && !HeaderUtilities.RemoveQuotes(media.Charset).Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (SingleContentTypes.Contains(name, StringComparer.OrdinalIgnoreCase)) shape = BodyShape.Single;
        else if (BatchContentTypes.Contains(name, StringComparer.OrdinalIgnoreCase)) shape = BodyShape.Batch;
        else if (!EitherContentTypes.Contains(name, StringComparer.OrdinalIgnoreCase)) return false;
        return true;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail, IReadOnlyList<Rejection>? rejected = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title,
            extensions: rejected is null ? null : new Dictionary<string, object?> { ["rejected"] = rejected });

    private enum BodyShape
    {
        Single,
        Batch,
        Either,
    }
}
