using Metering.Ingest.Events;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Metering.Ingest.OpenApi;

/// <summary>
/// What the generated OpenAPI document cannot infer from the endpoint (API.md, ingest gateway): the
/// request body per content type, described by the event's JSON Schema (schemas/events/, embedded in
/// this assembly, so the two cannot drift), the bearer API key, the 400 rejection list and Retry-After.
/// </summary>
internal sealed class IngestDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string EventSchemaResource = "Metering.Ingest.usage-event.v1.schema.json";
    private const string EventSchemaId = "CloudEvent";
    private const string RejectionProblemSchemaId = "RejectionProblem";
    private const string SecuritySchemeId = "ApiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info = new OpenApiInfo
        {
            Title = "Metering ingest gateway",
            Version = "v1",
            Description = "Durable, validated CloudEvents ingest. An accepted event is in Kafka (acks=all) before the answer.",
        };
        // No servers: where the gateway listens is deployment's business, and a document without them is
        // relative to where it is served. So the served and the committed documents are the same.
        document.Servers = [];
        document.AddComponent(EventSchemaId, ReadEventSchema(document));
        document.AddComponent(SecuritySchemeId, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A configured API key (Auth:Keys) with the role ingest; an account-scoped key may only send its account.",
        });
        document.AddComponent(RejectionProblemSchemaId, RejectionProblem(document));

        var operation = document.Paths["/v1/events"].Operations![HttpMethod.Post];
        operation.RequestBody = EventsBody(document);
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeId, document)] = [] }];
        var responses = operation.Responses!;
        Describe(responses, StatusCodes.Status202Accepted,
            "Every accepted event is durable in Kafka; the others are listed with their reason.");
        var badRequest = Describe(responses, StatusCodes.Status400BadRequest,
            "The body is not JSON, or no event of it is valid: every rejection with its reason.");
        badRequest.Content!["application/problem+json"].Schema = new OpenApiSchemaReference(RejectionProblemSchemaId, document);
        Describe(responses, StatusCodes.Status401Unauthorized, "No API key, or an unknown one.");
        Describe(responses, StatusCodes.Status403Forbidden,
            "The key has no ingest role, or is scoped to another account than an event's.");
        Describe(responses, StatusCodes.Status413PayloadTooLarge,
            "The body or the event count is over the limit (Ingest:MaxBodyBytes, Ingest:MaxEventsPerRequest).");
        Describe(responses, StatusCodes.Status415UnsupportedMediaType, "The content type is none of the three, or its charset is not UTF-8.");
        var unavailable = Describe(responses, StatusCodes.Status503ServiceUnavailable,
            "The broker cannot take the events: none of the request was accepted.");
        unavailable.Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before retrying (Ingest:RetryAfter).",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
            },
        };
        return Task.CompletedTask;
    }

    private static OpenApiResponse Describe(OpenApiResponses responses, int status, string description)
    {
        var response = (OpenApiResponse)responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        response.Description = description;
        return response;
    }

    private static OpenApiRequestBody EventsBody(OpenApiDocument document)
    {
        var one = new OpenApiSchemaReference(EventSchemaId, document);
        var batch = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(EventSchemaId, document) };
        return new OpenApiRequestBody
        {
            Required = true,
            Description = "One CloudEvent, or a batch (a JSON array) of them, in structured JSON mode; UTF-8.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/cloudevents+json"] = new() { Schema = one },
                ["application/cloudevents-batch+json"] = new() { Schema = batch },
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        OneOf = [new OpenApiSchemaReference(EventSchemaId, document), new OpenApiSchema
                        {
                            Type = JsonSchemaType.Array,
                            Items = new OpenApiSchemaReference(EventSchemaId, document),
                        }],
                    },
                },
            },
        };
    }

    private static OpenApiSchema RejectionProblem(OpenApiDocument document) => new()
    {
        Description = "An RFC 7807 problem with the events that were rejected and why.",
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "status", "detail", "rejected" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["rejected"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(nameof(Rejection), document) },
        },
    };

    private static OpenApiSchema ReadEventSchema(OpenApiDocument document)
    {
        using var stream = typeof(IngestDocumentTransformer).Assembly.GetManifestResourceStream(EventSchemaResource)
            ?? throw new InvalidOperationException($"The resource {EventSchemaResource} is missing.");
        using var reader = new StreamReader(stream);
        var schema = OpenApiModelFactory.Parse<OpenApiSchema>(reader.ReadToEnd(), OpenApiSpecVersion.OpenApi3_1, document, out var diagnostic, "json")
            ?? throw new InvalidOperationException("schemas/events/usage-event.v1.schema.json is not a JSON Schema.");
        return diagnostic?.Errors.Count > 0
            ? throw new InvalidOperationException($"schemas/events/usage-event.v1.schema.json: {diagnostic.Errors[0].Message}")
            : schema;
    }
}
