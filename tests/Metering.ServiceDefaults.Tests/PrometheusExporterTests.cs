using System.Diagnostics.Metrics;
using Metering.ServiceDefaults.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

[assembly: Parallelizable(ParallelScope.Fixtures)]

namespace Metering.ServiceDefaults.Tests;

public sealed class PrometheusExporterTests
{
    [TestCase("messaging.client.sent.messages", "{message}", "messaging_client_sent_messages")]
    [TestCase("db.client.operation.duration", "s", "db_client_operation_duration_seconds")]
    [TestCase("metering.payload.size", "By", "metering_payload_size_bytes")]
    [TestCase("metering.pipeline.queue.length", "{event}", "metering_pipeline_queue_length")]
    [TestCase("9lives", null, "_9lives")]
    [TestCase("http.server.request.duration", "s", "http_server_request_duration_seconds")]
    public void MetricName_OpenTelemetryName_FollowsThePrometheusRules(string instrument, string? unit, string expected) =>
        Assert.That(PrometheusExporter.MetricName(instrument, unit), Is.EqualTo(expected));

    [Test]
    public void Scrape_EveryInstrumentKind_RendersTheTextFormat()
    {
        using var meter = new Meter("Metering.Test." + Guid.NewGuid().ToString("N"));
        var exporter = new PrometheusExporter();
        using var reader = new BaseExportingMetricReader(exporter) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative };
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddReader(reader)
            .AddView("metering.test.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [0.1, 1] })
            .Build();
        var events = meter.CreateCounter<long>("metering.test.events", "{event}", "Events seen.");
        var queue = meter.CreateUpDownCounter<long>("metering.test.queue", "{event}");
        var duration = meter.CreateHistogram<double>("metering.test.duration", "s");
        events.Add(3, new KeyValuePair<string, object?>("metering.outcome", "accepted"));
        events.Add(2, new KeyValuePair<string, object?>("metering.outcome", "say \"no\"\\\n"));
        queue.Add(5);
        queue.Add(-2);
        duration.Record(0.05);
        duration.Record(0.5);
        duration.Record(7);

        var text = new PrometheusScrapeEndpoint(reader, exporter).Scrape();

        var lines = text.Split('\n');
        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines, Does.Contain("# HELP metering_test_events_total Events seen."));
            Assert.That(lines, Does.Contain("# TYPE metering_test_events_total counter"));
            Assert.That(lines, Does.Contain("metering_test_events_total{metering_outcome=\"accepted\"} 3"));
            Assert.That(lines, Does.Contain("metering_test_events_total{metering_outcome=\"say \\\"no\\\"\\\\\\n\"} 2"));
            Assert.That(lines, Does.Contain("# TYPE metering_test_queue gauge"));
            Assert.That(lines, Does.Contain("metering_test_queue 3"));
            Assert.That(lines, Does.Contain("# TYPE metering_test_duration_seconds histogram"));
            Assert.That(lines, Does.Contain("metering_test_duration_seconds_bucket{le=\"0.1\"} 1"));
            Assert.That(lines, Does.Contain("metering_test_duration_seconds_bucket{le=\"1\"} 2"));
            Assert.That(lines, Does.Contain("metering_test_duration_seconds_bucket{le=\"+Inf\"} 3"));
            Assert.That(lines, Does.Contain("metering_test_duration_seconds_sum 7.55"));
            Assert.That(lines, Does.Contain("metering_test_duration_seconds_count 3"));
        }
    }

    [Test]
    public void Scrape_AttributeKeysAndUpDownCounterUnits_AreSanitizedAndPlain()
    {
        using var meter = new Meter("Metering.Test." + Guid.NewGuid().ToString("N"));
        var exporter = new PrometheusExporter();
        using var reader = new BaseExportingMetricReader(exporter) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative };
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddReader(reader).Build();
        var size = meter.CreateUpDownCounter<long>("metering.test.buffer-size", "By");
        var sent = meter.CreateCounter<double>("metering.test.sent", "s");
        size.Add(42, new KeyValuePair<string, object?>("messaging.destination.name", "usage-events"));
        sent.Add(1.5);

        var lines = new PrometheusScrapeEndpoint(reader, exporter).Scrape().Split('\n');

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines, Does.Contain("# TYPE metering_test_buffer_size_bytes gauge"));
            Assert.That(lines, Does.Contain("metering_test_buffer_size_bytes{messaging_destination_name=\"usage-events\"} 42"));
            Assert.That(lines, Does.Contain("# TYPE metering_test_sent_seconds_total counter"));
            Assert.That(lines, Does.Contain("metering_test_sent_seconds_total 1.5"));
            Assert.That(lines, Has.None.Contain("metering_test_buffer_size_bytes_total"));
        }
    }

    [Test]
    public void Scrape_Twice_CountersAreCumulative()
    {
        using var meter = new Meter("Metering.Test." + Guid.NewGuid().ToString("N"));
        var exporter = new PrometheusExporter();
        using var reader = new BaseExportingMetricReader(exporter) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative };
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddReader(reader).Build();
        var events = meter.CreateCounter<long>("metering.test.events", "{event}");
        var endpoint = new PrometheusScrapeEndpoint(reader, exporter);

        events.Add(4);
        endpoint.Scrape();
        events.Add(1);
        var second = endpoint.Scrape();

        Assert.That(second.Split('\n'), Does.Contain("metering_test_events_total 5"));
    }
}
