using Metering.Aggregator;
using Metering.Aggregator.Pipeline;
using Metering.Aggregator.Storage;
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
        services.AddSingleton<PartitionStore>();
        services.AddSingleton<KafkaSource>();
        services.AddSingleton<WindowAggregator>();
        services.AddSingleton<ClickHouseSink>();
        services.AddHostedService<AggregatorWorker>();
        return builder;
    }
}
