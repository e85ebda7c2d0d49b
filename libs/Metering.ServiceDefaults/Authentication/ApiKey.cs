namespace Metering.ServiceDefaults.Authentication;

/// <summary>One configured API key (<c>Auth:Keys</c>).</summary>
public sealed class ApiKey
{
    public string Key { get; set; } = "";

    public ApiRole Role { get; set; }

    /// <summary>When set, the key sees and sends only this account.</summary>
    public string? Account { get; set; }
}
