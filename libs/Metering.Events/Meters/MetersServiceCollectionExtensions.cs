using Metering.Events.Meters;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

public static class MetersServiceCollectionExtensions
{
    /// <summary>The configuration key of the meter file (API.md, aggregator configuration).</summary>
    public const string MetersKey = "Meters";

    /// <summary>The default meter file, relative to the content root or the application folder.</summary>
    public const string DefaultMetersPath = "schemas/meters.json";

    /// <summary>
    /// Loads the meter definitions once, at registration, so a bad file stops the service at start with
    /// a message that lists every problem.
    /// </summary>
    public static IHostApplicationBuilder AddMeters(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configured = builder.Configuration[MetersKey] ?? DefaultMetersPath;
        var path = Path.IsPathRooted(configured)
            ? configured
            : new[] { builder.Environment.ContentRootPath, AppContext.BaseDirectory }
                .Select(dir => Path.Combine(dir, configured))
                .FirstOrDefault(File.Exists) ?? configured;
        builder.Services.AddSingleton(MeterCatalog.Load(path));
        return builder;
    }
}
