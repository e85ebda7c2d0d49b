using Metering.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Builder;

public static class ApiKeyEndpointConventionBuilderExtensions
{
    /// <summary>Requires an API key with one of <paramref name="roles"/> (API.md, Authentication).</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, params ApiRole[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new ApiKeyEndpointFilter(roles.ToHashSet()));

    /// <summary>The key that <see cref="RequireApiKey"/> accepted for this request.</summary>
    public static ApiKey GetApiKey(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[typeof(ApiKey)] as ApiKey
            ?? throw new InvalidOperationException("The endpoint has no RequireApiKey filter.");
    }
}
