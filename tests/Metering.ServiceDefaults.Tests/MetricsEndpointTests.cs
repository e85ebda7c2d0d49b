using System.Diagnostics.Metrics;
using System.Net;
using Metering.ServiceDefaults.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Metering.ServiceDefaults.Tests;

public sealed class MetricsEndpointTests
{
    [Test]
    public async Task GetMetrics_WithoutApiKey_ServesRecordedSeriesAsPrometheusText()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration["Auth:Keys:0:Key"] = "test-key-of-sufficient-length";
        builder.Configuration["Auth:Keys:0:Role"] = "Ingest";
        builder.AddServiceDefaults("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        var address = app.Urls.First();

        // Meter names are per process; the SDK listens to every meter matching Metering.*.
        using var meter = new Meter("Metering.Test");
        var events = meter.CreateCounter<long>("metering.test.http.events", "{event}", "Events the test recorded.");
        events.Add(7, new KeyValuePair<string, object?>("metering.outcome", "accepted"));

        using var client = new HttpClient { BaseAddress = new Uri(address) };
        using var health = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        await app.StopAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo(PrometheusScrapeEndpoint.ContentType));
            Assert.That(lines, Does.Contain("# TYPE metering_test_http_events_total counter"));
            Assert.That(lines, Does.Contain("metering_test_http_events_total{metering_outcome=\"accepted\"} 7"));
            Assert.That(lines, Has.Some.StartWith("http_server_request_duration_seconds_bucket{"));
            // The runtime's own meter: what an operator reads GC pressure and CPU from.
            Assert.That(lines, Has.Some.Match(@"^dotnet_gc_collections_total\{gc_heap_generation=""gen0""\} \d+"));
            Assert.That(lines, Has.Some.StartWith("dotnet_gc_pause_time_seconds_total "));
            Assert.That(lines, Has.Some.StartWith("dotnet_gc_heap_total_allocated_bytes_total "));
            Assert.That(lines, Has.Some.StartWith("dotnet_process_cpu_time_seconds_total{cpu_mode=\"user\"} "));
            Assert.That(lines, Has.Some.StartWith("dotnet_jit_compilation_time_seconds_total "));
        }
    }

    [Test]
    public async Task Scrape_ConcurrentScrapes_EachSeesCompleteText()
    {
        using var meter = new Meter("Metering.Test." + Guid.NewGuid().ToString("N"));
        var exporter = new PrometheusExporter();
        using var reader = new BaseExportingMetricReader(exporter)
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
        };
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddReader(reader).Build();
        var events = meter.CreateCounter<long>("metering.test.events", "{event}");
        var duration = meter.CreateHistogram<double>("metering.test.duration", "s");
        var endpoint = new PrometheusScrapeEndpoint(reader, exporter);

        var scrapes = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            var texts = new List<string>();
            for (var i = 0; i < 50; i++)
            {
                events.Add(1);
                duration.Record(0.01);
                texts.Add(endpoint.Scrape());
            }

            return texts;
        }));
        var texts = (await Task.WhenAll(scrapes)).SelectMany(t => t).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(texts, Has.All.Contain("# TYPE metering_test_events_total counter"));
            Assert.That(texts, Has.All.Contain("metering_test_duration_seconds_bucket{le=\"+Inf\"} "));
            Assert.That(endpoint.Scrape().Split('\n'), Does.Contain("metering_test_events_total 400"));
        }
    }
}
