using Microsoft.Extensions.Options;

namespace Metering.ClickHouse;

/// <summary>Checks <see cref="ClickHouseOptions"/> at start; every message names the configuration key.</summary>
public sealed class ClickHouseOptionsValidator : IValidateOptions<ClickHouseOptions>
{
    public ValidateOptionsResult Validate(string? name, ClickHouseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment) || !string.IsNullOrEmpty(url.UserInfo))
        {
            failures.Add("ClickHouse:Url must be an absolute http:// or https:// URL without a query or user info (use ClickHouse:User), e.g. http://127.0.0.1:8123.");
        }

        if (!ClickHouseSql.IsIdentifier(options.Database))
        {
            failures.Add("ClickHouse:Database must match ^[A-Za-z_][A-Za-z0-9_]*$.");
        }

        if (string.IsNullOrEmpty(options.User))
        {
            failures.Add("ClickHouse:User is required.");
        }

        if (options.Password is null)
        {
            failures.Add("ClickHouse:Password must not be null (use an empty string for none).");
        }

        CheckRange(failures, "RequestTimeout", options.RequestTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        if (options.MaxRetryAttempts is < 0 or > 100)
        {
            failures.Add("ClickHouse:MaxRetryAttempts must be between 0 and 100.");
        }

        CheckRange(failures, "RetryDelay", options.RetryDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        CheckRange(failures, "RetryMaxDelay", options.RetryMaxDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));
        if (options.RetryMaxDelay < options.RetryDelay)
        {
            failures.Add("ClickHouse:RetryMaxDelay must not be less than ClickHouse:RetryDelay.");
        }

        CheckRange(failures, "StartupTimeout", options.StartupTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRange(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"ClickHouse:{key} must be between {min:c} and {max:c}.");
        }
    }
}
