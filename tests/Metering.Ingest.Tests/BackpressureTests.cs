using System.Net;
using Metering.Testing;

namespace Metering.Ingest.Tests;

/// <summary>
/// A gateway whose producer queue holds 10 messages and whose broker never answers (nothing listens on its
/// port): a request of more events fills the queue, waits <c>Ingest:QueueFullWait</c>, then is answered 503.
/// </summary>
[Integration]
public sealed class BackpressureTests
{
    private static readonly TimeSpan QueueFullWait = TimeSpan.FromMilliseconds(500);
    private IngestGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _gateway = await IngestGateway.StartAsync(new Dictionary<string, string>
    {
        ["Kafka:BootstrapServers"] = $"127.0.0.1:{FreePort.Next()}",
        ["Ingest:ProducerQueueMaxMessages"] = "10",
        ["Ingest:QueueFullWait"] = QueueFullWait.ToString(),
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [Test]
    public async Task Post_MoreEventsThanTheProducerQueueHolds_WaitsQueueFullWaitThenIs503WithRetryAfter()
    {
        var body = "[" + string.Join(",", Enumerable.Range(0, 20).Select(i => IngestGateway.Event($"bp-{i}"))) + "]";
        var started = TimeProvider.System.GetTimestamp();

        using var response = await _gateway.PostAsync(body);

        var elapsed = TimeProvider.System.GetElapsedTime(started);
        using var problem = await Problems.AssertAsync(response, HttpStatusCode.ServiceUnavailable);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(elapsed, Is.GreaterThanOrEqualTo(QueueFullWait));
            Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "the wait is bounded by QueueFullWait, not the message timeout");
            Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.Contain("producer queue stayed full"));
        }

        using var client = _gateway.CreateClient();
        var lines = (await client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n');
        Assert.That(lines, Has.Some.StartWith("metering_ingest_broker_errors_total{error_type=\"Local_QueueFull\"} "));
    }
}
