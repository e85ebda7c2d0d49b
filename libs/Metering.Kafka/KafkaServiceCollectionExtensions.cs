using Metering.Kafka;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class KafkaServiceCollectionExtensions
{
    /// <summary>Binds <see cref="KafkaOptions"/> from the <c>Kafka</c> section and validates it at start.</summary>
    public static IServiceCollection AddKafkaOptions(this IServiceCollection services)
    {
        services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>();
        return services;
    }
}
