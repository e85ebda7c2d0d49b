using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Metering.Query.OpenApi;

internal static class QueryParameterEndpointExtensions
{
    /// <summary>Puts <paramref name="parameters"/> into the endpoint's OpenAPI operation.</summary>
    public static RouteHandlerBuilder WithQueryParameters(this RouteHandlerBuilder builder, params QueryParameter[] parameters) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var parameter in parameters)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = parameter.Name,
                    In = ParameterLocation.Query,
                    Description = parameter.Description,
                    Required = parameter.Required,
                    Schema = parameter.Repeatable
                        ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = Schema(parameter) }
                        : Schema(parameter),
                });
            }

            return Task.CompletedTask;
        });

    private static OpenApiSchema Schema(QueryParameter parameter) => new()
    {
        Type = JsonSchemaType.String,
        Format = parameter.Format,
        Enum = parameter.Values?.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
    };
}
