using Microsoft.AspNetCore.Http;
using OpenTelemetry.Metrics;

namespace Metering.ServiceDefaults.Metrics;

/// <summary>Serves <c>/metrics</c>: one collection a scrape, scrapes one at a time.</summary>
public sealed class PrometheusScrapeEndpoint(MetricReader reader, PrometheusExporter exporter)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    private readonly Lock _gate = new();

    /// <summary>Collects every instrument now and returns the rendered text.</summary>
    public string Scrape()
    {
        lock (_gate)
        {
            reader.Collect();
            return exporter.Latest;
        }
    }

    internal Task WriteAsync(HttpResponse response)
    {
        response.ContentType = ContentType;
        return response.WriteAsync(Scrape(), response.HttpContext.RequestAborted);
    }
}
