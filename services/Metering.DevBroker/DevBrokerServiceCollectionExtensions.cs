using Metering.DevBroker;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class DevBrokerServiceCollectionExtensions
{
    /// <summary>Adds the development broker, its options (section <c>DevBroker</c>), readiness check and JSON contract.</summary>
    public static IServiceCollection AddDevBroker(this IServiceCollection services)
    {
        services.AddOptions<DevBrokerOptions>()
            .BindConfiguration(DevBrokerOptions.SectionName)
            .PostConfigure(o =>
            {
                if (o.Topics.Count == 0)
                {
                    o.Topics.Add(DevBrokerOptions.DefaultTopic);
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DevBrokerOptions>, DevBrokerOptionsValidator>();
        services.AddSingleton<IValidateOptions<DevBrokerOptions>, DevBrokerPortsValidator>();

        services.AddSingleton<DevBrokerHost>();
        services.AddHostedService(sp => sp.GetRequiredService<DevBrokerHost>());
        services.AddHealthChecks().AddCheck<DevBrokerHealthCheck>("dev-broker", tags: ["ready"]);

        // Unreadable request bodies become 400 problem details that say what was wrong (UseExceptionHandler in Program).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DevBrokerJsonContext.Default));
        return services;
    }
}
