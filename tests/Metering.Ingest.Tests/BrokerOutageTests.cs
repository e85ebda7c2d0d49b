using System.Net;
using Metering.Testing;

namespace Metering.Ingest.Tests;

/// <summary>The broker goes down: 503 with Retry-After and nothing accepted; it comes back: accepted again.</summary>
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
            using var down = await gateway.PostAsync(IngestGateway.Event("outage-1"));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(down.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), await down.Content.ReadAsStringAsync());
                Assert.That(down.Headers.RetryAfter, Is.Not.Null);
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
    }
}
