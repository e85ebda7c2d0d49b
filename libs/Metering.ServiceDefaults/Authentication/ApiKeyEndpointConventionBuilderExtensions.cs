using Metering.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Microsoft.AspNetCore.Builder;

public static class ApiKeyEndpointConventionBuilderExtensions
{
    private const string ProblemContentType = "application/problem+json";

    /// <summary>Requires an API key with one of <paramref name="roles"/> (API.md, Authentication).</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, params ApiRole[] roles)
        where TBuilder : IEndpointConventionBuilder
    {
        var admitted = roles.ToHashSet();
        return builder.AddEndpointFilter(new ApiKeyEndpointFilter(admitted)).WithMetadata(
            new ApiKeyRequirement(admitted),
            new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), [ProblemContentType]),
            new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ProblemDetails), [ProblemContentType]));
    }

    /// <summary>The key that <see cref="RequireApiKey"/> accepted for this request.</summary>
    public static ApiKey GetApiKey(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[typeof(ApiKey)] as ApiKey
            ?? throw new InvalidOperationException("The endpoint has no RequireApiKey filter.");
    }
}
