using Metering.Aggregator;
using Metering.Aggregator.Attribution;
using Metering.Aggregator.Pipeline;
using Metering.Aggregator.Storage;
using Metering.Aggregator.Telemetry;
using Metering.Windowing;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class AggregatorServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddAggregator(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddMeters();
        builder.AddClickHouse();
        services.AddOptions<AggregatorOptions>().BindConfiguration(AggregatorOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AggregatorOptions>, AggregatorOptionsValidator>();
        services.AddSingleton<IValidateOptions<AggregatorOptions>, AggregatorWindowValidator>();
        services.AddKafkaOptions();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AggregatorOptions>>().Value;
            return new WindowPolicy(o.WindowSize, o.AllowedLateness, o.OutOfOrderness);
        });
        services.AddSingleton<AggregatorMetrics>();
        services.AddSingleton<TeamDirectory>();
        services.AddHostedService<DirectoryRefreshService>();
        services.AddSingleton<PartitionStore>();
        services.AddSingleton<KafkaSource>();
        services.AddSingleton<WindowAggregator>();
        services.AddSingleton<ClickHouseSink>();
        services.AddHostedService<AggregatorWorker>();
        return builder;
    }
}
