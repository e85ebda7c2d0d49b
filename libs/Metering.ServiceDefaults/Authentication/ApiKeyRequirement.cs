namespace Metering.ServiceDefaults.Authentication;

/// <summary>
/// Endpoint metadata: the roles <see cref="Microsoft.AspNetCore.Builder.ApiKeyEndpointConventionBuilderExtensions.RequireApiKey"/>
/// admits, so documents describing the endpoint (OpenAPI) say what the filter enforces.
/// </summary>
public sealed record ApiKeyRequirement(IReadOnlySet<ApiRole> Roles);
