using Metering.Query;
using Metering.Query.Accounts;
using Metering.Query.Assignments;
using Metering.Query.Monthly;
using Metering.Query.OpenApi;
using Metering.Query.Pipeline;
using Metering.Query.Subjects;
using Metering.Query.Usage;
using Metering.Query.Windows;
using Metering.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class QueryServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddQuery(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (OpenApiDocumentGeneration.IsRunning)
        {
            builder.Configuration["ClickHouse:ApplyMigrations"] = "false";
        }

        builder.AddMeters();
        builder.AddClickHouse();
        builder.Services.AddOptions<RollupWindowOptions>().BindConfiguration(RollupWindowOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RollupWindowOptions>, RollupWindowOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<RollupWindowOptions>, RollupWindowSizeValidator>();
        builder.Services.AddSingleton<WindowFinality>();
        builder.Services.AddSingleton<UsageQuery>();
        builder.Services.AddSingleton<MonthlyReportQuery>();
        builder.Services.AddOptions<DirectoryOptions>().BindConfiguration(DirectoryOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DirectoryOptions>, DirectoryOptionsValidator>();
        builder.Services.AddSingleton<WriteVersions>();
        builder.Services.AddSingleton<AssignmentStore>();
        builder.Services.AddSingleton<AccountSettingsStore>();
        builder.Services.AddSingleton<SubjectQuery>();
        builder.Services.AddKafkaOptions();
        builder.Services.AddSingleton<PipelineHealthQuery>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, QueryJsonContext.Default));
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<QueryDocumentTransformer>().AddOperationTransformer<ApiKeyOperationTransformer>());
        return builder;
    }
}
