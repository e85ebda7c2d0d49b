using System.Text.Json.Serialization;
using Metering.ServiceDefaults;
using Metering.ServiceDefaults.Authentication;
using Metering.ServiceDefaults.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every Metering service has: clock, API keys, health, OpenTelemetry, shutdown time.</summary>
public static class ServiceDefaultsHostApplicationBuilderExtensions
{
    /// <summary>Our meters and activity sources: <c>Metering.Ingest</c>, <c>Metering.Kafka</c>, ….</summary>
    public const string TelemetryNamePattern = "Metering.*";

    /// <summary>ASP.NET Core's own meter: <c>http.server.request.duration</c> and friends.</summary>
    public const string AspNetCoreHostingMeter = "Microsoft.AspNetCore.Hosting";

    /// <summary>The runtime's own meter: garbage collections and their pause time, heap size, CPU time, thread pool.</summary>
    public const string RuntimeMeter = "System.Runtime";

    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.Converters.Add(new Rfc3339UtcConverter());
        });

        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddSingleton<ApiKeyAuthenticator>();

        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        AddOpenTelemetry(builder);
        return builder;
    }

    /// <summary>
    /// The defaults of a web service; <paramref name="defaultUrl"/> is where it listens unless <c>Urls</c>
    /// (or <c>ASPNETCORE_URLS</c>) says otherwise (API.md, ports and defaults).
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string defaultUrl)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults<WebApplicationBuilder>();
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(defaultUrl);
        }

        return builder;
    }

    /// <summary><c>/health/live</c> (the process runs) and <c>/health/ready</c> (its dependencies answer).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag) });
        app.MapGet("/metrics", context => context.RequestServices.GetRequiredService<PrometheusScrapeEndpoint>().WriteAsync(context.Response))
            .WithDisplayName("Prometheus text exposition of the service's metrics");
        return app;
    }

    // OpenTelemetry.Extensions.Hosting is not served here (DESIGN.md §3), so the providers are built
    // with the SDK and owned by the container, which disposes (and so flushes) them at shutdown.
    private static void AddOpenTelemetry(IHostApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (otlp)
        {
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.IncludeFormattedMessage = true;
                o.AddOtlpExporter();
            });
        }

        builder.Services.AddSingleton<PrometheusExporter>();
        builder.Services.AddSingleton<MetricReader>(sp => new BaseExportingMetricReader(sp.GetRequiredService<PrometheusExporter>())
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
        });
        builder.Services.AddSingleton<PrometheusScrapeEndpoint>();
        builder.Services.AddSingleton(sp =>
        {
            var metrics = Sdk.CreateMeterProviderBuilder()
                .AddMeter(TelemetryNamePattern, AspNetCoreHostingMeter, RuntimeMeter)
                .AddReader(sp.GetRequiredService<MetricReader>());
            return (otlp ? metrics.AddOtlpExporter() : metrics).Build();
        });
        builder.Services.AddSingleton(_ =>
        {
            var tracing = Sdk.CreateTracerProviderBuilder().AddSource(TelemetryNamePattern);
            return (otlp ? tracing.AddOtlpExporter() : tracing).Build();
        });
        builder.Services.AddHostedService<TelemetryStarter>();
    }

    /// <summary>Resolves the providers at start so they listen from the first event on.</summary>
    private sealed class TelemetryStarter(MeterProvider meters, TracerProvider traces) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(meters);
            GC.KeepAlive(traces);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
