using Metering.Ingest;
using Metering.Ingest.Events;
using Metering.Ingest.Producing;
using Metering.Ingest.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class IngestServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        services.AddKafkaOptions();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<EventProducer>();
        services.AddHostedService(sp => sp.GetRequiredService<EventProducer>());
        services.AddHealthChecks().AddCheck<BrokerHealthCheck>("kafka", HealthStatus.Unhealthy, [ServiceDefaultsHostApplicationBuilderExtensions.ReadyTag]);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, IngestJsonContext.Default));
        return builder;
    }
}
