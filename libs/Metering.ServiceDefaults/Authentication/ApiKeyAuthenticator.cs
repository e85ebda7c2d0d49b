using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Metering.ServiceDefaults.Authentication;

/// <summary>Finds the configured key of a request's <c>Authorization: Bearer</c> header.</summary>
public sealed class ApiKeyAuthenticator(IOptionsMonitor<AuthOptions> options)
{
    /// <summary>The key the request carries, or null when it carries none or an unknown one.</summary>
    public ApiKey? Authenticate(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var presented = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        ApiKey? match = null;
        // Compare with every key in constant time so the answer's timing says nothing about near misses.
        foreach (var key in options.CurrentValue.Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(key.Key)))
            {
                match = key;
            }
        }

        return match;
    }
}
