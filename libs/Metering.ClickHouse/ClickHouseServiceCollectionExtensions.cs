using System.Diagnostics.Metrics;
using Metering.ClickHouse;
using Metering.ClickHouse.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ClickHouse client, the migrator and the start-up migrations.</summary>
public static class ClickHouseServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> the <see cref="ClickHouseClient"/> uses.</summary>
    public const string HttpClientName = "Metering.ClickHouse";

    /// <summary>
    /// Adds <see cref="ClickHouseOptions"/> (section <c>ClickHouse</c>, validated at start), a singleton
    /// <see cref="ClickHouseClient"/>, <see cref="ClickHouseMigrator"/> and a hosted service that applies the
    /// migrations at start when <see cref="ClickHouseOptions.ApplyMigrations"/> is on.
    /// </summary>
    public static TBuilder AddClickHouse<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddClickHouse();
        return builder;
    }

    /// <inheritdoc cref="AddClickHouse{TBuilder}(TBuilder)"/>
    public static IServiceCollection AddClickHouse(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ClickHouseOptions>().BindConfiguration(ClickHouseOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClickHouseOptions>, ClickHouseOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // One long-lived client: the handler is never rotated, so connections are recycled by lifetime instead
        // (DNS changes), and idle ones are dropped before ClickHouse's keep_alive_timeout (3 s by default) closes them.
        services.AddHttpClient(HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
                AutomaticDecompression = System.Net.DecompressionMethods.None,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        services.TryAddSingleton(sp => new ClickHouseClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value,
            sp.GetService<ILogger<ClickHouseClient>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new ClickHouseMigrator(
            sp.GetRequiredService<ClickHouseClient>(),
            sp.GetService<ILogger<ClickHouseMigrator>>(),
            sp.GetService<TimeProvider>()));
        services.AddHostedService<ClickHouseMigrationService>();
        return services;
    }
}
