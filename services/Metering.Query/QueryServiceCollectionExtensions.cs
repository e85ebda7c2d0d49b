using Metering.Query;
using Metering.Query.Usage;

namespace Microsoft.Extensions.DependencyInjection;

public static class QueryServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddQuery(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddMeters();
        builder.AddClickHouse();
        builder.Services.AddSingleton<UsageQuery>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, QueryJsonContext.Default));
        return builder;
    }
}
