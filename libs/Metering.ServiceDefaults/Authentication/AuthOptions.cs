using Microsoft.Extensions.Options;

namespace Metering.ServiceDefaults.Authentication;

/// <summary>The API keys a service accepts (configuration section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public List<ApiKey> Keys { get; set; } = [];
}

internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <summary>Short keys can be guessed; 16 characters is the floor.</summary>
    private const int MinKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var key = options.Keys[i];
            if (key.Key.Length < MinKeyLength)
            {
                failures.Add($"Auth:Keys:{i}:Key must be at least {MinKeyLength} characters.");
            }

            if (!Enum.IsDefined(key.Role))
            {
                failures.Add($"Auth:Keys:{i}:Role must be one of {string.Join(", ", Enum.GetNames<ApiRole>())}.");
            }

            if (key.Account is { Length: 0 })
            {
                failures.Add($"Auth:Keys:{i}:Account must not be empty when set.");
            }
        }

        if (options.Keys.Select(k => k.Key).Distinct(StringComparer.Ordinal).Count() != options.Keys.Count)
        {
            failures.Add("Auth:Keys has the same key twice.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
