namespace Metering.ServiceDefaults.Authentication;

/// <summary>What an API key may do (API.md, Authentication).</summary>
public enum ApiRole
{
    Ingest,
    Admin,
    Finance,
    Sre,
    Viewer,
}
