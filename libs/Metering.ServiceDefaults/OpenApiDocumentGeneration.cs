using System.Reflection;

namespace Metering.ServiceDefaults;

/// <summary>
/// The build generates a service's OpenAPI document by starting its host inside the GetDocument.Insider tool
/// (Microsoft.Extensions.ApiDescription.Server), hosted services included; a service leaves out what would reach a
/// broker or a database there, so a build never connects to either.
/// </summary>
public static class OpenApiDocumentGeneration
{
    public static bool IsRunning { get; } = Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";
}
