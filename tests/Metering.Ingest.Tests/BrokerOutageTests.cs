using System.Net;
using Metering.Testing;

namespace Metering.Ingest.Tests;

/// <summary>
/// The broker goes down: 503 with Retry-After and nothing accepted; it comes back: accepted again. The broker
/// is shared by every fixture of the run, so this fixture runs alone and always brings the broker back up.
/// </summary>
[Integration]
[NonParallelizable]
public sealed class BrokerOutageTests
{
    [Test]
    public async Task Post_BrokerDown_Is503WithRetryAfterThenRecoversWithoutRestart()
    {
        await using var gateway = await IngestGateway.StartAsync();
        using (var before = await gateway.PostAsync(IngestGateway.Event("outage-0")))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        var cluster = gateway.Topic.Broker.Cluster ?? throw new IgnoreException("needs the in-process development broker");
        cluster.SetBrokerDown(1);
        try
        {
            using var down = await gateway.PostAsync($"[{IngestGateway.Event("outage-1")},{IngestGateway.Event("outage-1b")}]");
            using var problem = await Problems.AssertAsync(down, HttpStatusCode.ServiceUnavailable);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(down.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
                Assert.That(problem.RootElement.TryGetProperty("accepted", out _), Is.False, "nothing from the request was accepted");
                Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.Contain("none of this request was accepted"));
            }

            using var client = gateway.CreateClient();
            var lines = (await client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n');
            using (Assert.EnterMultipleScope())
            {
                Assert.That(lines, Has.Some.StartWith("metering_ingest_broker_errors_total{error_type=\""), "broker errors by error code");
                Assert.That(lines, Has.Some.StartWith("metering_ingest_events_total{metering_outcome=\"unavailable\"} 2"));
                Assert.That(lines, Has.Some.StartWith("messaging_client_operation_duration_seconds_count{error_type=\"broker_unavailable\","));
            }
        }
        finally
        {
            cluster.SetBrokerUp(1);
        }

        await Eventually.WaitAsync(
            async () =>
            {
                using var after = await gateway.PostAsync(IngestGateway.Event("outage-2"));
                return after.StatusCode == HttpStatusCode.Accepted;
            },
            TimeSpan.FromSeconds(60),
            "the gateway to accept events again once the broker is up");
        Assert.That(gateway.ReadTopic("outage-2", expected: 1), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task HealthReady_BrokerDown_Is503UntilItIsUpAgain()
    {
        await using var gateway = await IngestGateway.StartAsync();
        using var client = gateway.CreateClient();
        async Task<HttpStatusCode> ReadyAsync()
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return response.StatusCode;
        }

        Assert.That(await ReadyAsync(), Is.EqualTo(HttpStatusCode.OK));
        var cluster = gateway.Topic.Broker.Cluster ?? throw new IgnoreException("needs the in-process development broker");
        cluster.SetBrokerDown(1);
        try
        {
            await Eventually.WaitAsync(ReadyAsync, s => s == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "/health/ready to report the broker down");
        }
        finally
        {
            cluster.SetBrokerUp(1);
        }

        await Eventually.WaitAsync(ReadyAsync, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "/health/ready to recover with the broker");
    }
}
