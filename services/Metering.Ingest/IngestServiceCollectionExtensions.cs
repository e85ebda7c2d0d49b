using System.Text.Json.Serialization;
using Metering.Ingest;
using Metering.Ingest.Events;
using Metering.Ingest.OpenApi;
using Metering.Ingest.Producing;
using Metering.Ingest.Telemetry;
using Metering.ServiceDefaults;
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
        if (!OpenApiDocumentGeneration.IsRunning)
        {
            services.AddHostedService(sp => sp.GetRequiredService<EventProducer>());
        }

        services.AddHealthChecks().AddCheck<BrokerHealthCheck>("kafka", HealthStatus.Unhealthy, [ServiceDefaultsHostApplicationBuilderExtensions.ReadyTag]);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, IngestJsonContext.Default);
            // The gateway reads its body itself and writes numbers as numbers: strict number handling
            // keeps the OpenAPI document from describing integers as "integer or string".
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddOpenApi(o => o.AddDocumentTransformer<IngestDocumentTransformer>());
        return builder;
    }
}
