using Metering.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Metering.Query.OpenApi;

/// <summary>
/// Describes what <c>RequireApiKey</c> enforces on an operation: the bearer key, the roles it admits, and when it
/// answers 401 and 403.
/// </summary>
internal sealed class ApiKeyOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiKeyRequirement>().LastOrDefault() is not { } requirement)
        {
            return Task.CompletedTask;
        }

        var roles = string.Join(", ", requirement.Roles.Select(r => r.ToString().ToLowerInvariant()).Order(StringComparer.Ordinal));
        operation.Description = operation.Description is null ? $"Roles: {roles}." : $"{operation.Description}\n\nRoles: {roles}.";
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(QueryDocumentTransformer.SecuritySchemeId, context.Document)] = [] }];
        Describe(operation, StatusCodes.Status401Unauthorized, "No API key, or an unknown one.");
        Describe(operation, StatusCodes.Status403Forbidden,
            $"The key's role is none of: {roles}; or the key is scoped to another account than the one asked for.");
        return Task.CompletedTask;
    }

    private static void Describe(OpenApiOperation operation, int status, string description)
    {
        if (operation.Responses?.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true
            && response is OpenApiResponse described)
        {
            described.Description = description;
        }
    }
}
