using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Metering.ServiceDefaults.Authentication;

/// <summary>401 without a known key, 403 when the key's role is not among the endpoint's roles.</summary>
internal sealed class ApiKeyEndpointFilter(IReadOnlySet<ApiRole> roles) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.RequestServices.GetRequiredService<ApiKeyAuthenticator>().Authenticate(http.Request);
        if (key is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(
                "An API key is required: send 'Authorization: Bearer <key>' with a configured key.",
                statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }

        if (!roles.Contains(key.Role))
        {
            return TypedResults.Problem(
                $"This key has the role '{key.Role}'; this endpoint needs one of: {string.Join(", ", roles)}.",
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        http.Items[typeof(ApiKey)] = key;
        return await next(context);
    }
}
