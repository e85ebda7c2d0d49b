using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Metering.Testing;

namespace Metering.Ingest.Tests;

/// <summary>
/// SIGTERM to a gateway process with requests in flight: it stops accepting connections, answers the requests
/// it has, flushes the producer and exits 0; every event it answered 202 for is in the topic. The broker's
/// responses are slowed for the test, so this fixture runs alone.
/// </summary>
[Integration]
[NonParallelizable]
public sealed class GracefulShutdownTests
{
    private static readonly TimeSpan BrokerRtt = TimeSpan.FromSeconds(2);

    [Test]
    public async Task Terminate_WithRequestsInFlight_StopsAcceptingCompletesThemFlushesAndExits()
    {
        await using var topic = await TemporaryTopic.CreateAsync(partitions: 4);
        var cluster = topic.Broker.Cluster ?? throw new IgnoreException("needs the in-process development broker (to slow its answers)");
        await using var gateway = ServiceProcess.Start("Metering.Ingest", new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = topic.Broker.BootstrapServers,
            ["Kafka__Topic"] = topic.Name,
            ["Kafka__MessageTimeout"] = "00:00:20",
            ["Auth__Keys__0__Key"] = IngestGateway.IngestKey,
            ["Auth__Keys__0__Role"] = "ingest",
        });
        await gateway.WaitReadyAsync(TimeSpan.FromSeconds(60));
        var tag = Guid.NewGuid().ToString("N")[..10];
        using var client = new HttpClient { BaseAddress = new Uri(gateway.Url), Timeout = TimeSpan.FromSeconds(60) };
        using (var warmUp = await PostAsync(client, tag, "warm", 1))
        {
            Assert.That(warmUp.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        cluster.SetRtt(1, BrokerRtt);
        try
        {
            // Each request waits for the broker's acknowledgement, which takes BrokerRtt: they are in flight.
            var inFlight = Enumerable.Range(0, 4).Select(i => PostAsync(client, tag, $"r{i}", 100)).ToList();
            await Eventually.WaitAsync(() => ProducerQueueAsync(gateway.Url), depth => depth >= 400, TimeSpan.FromSeconds(30),
                "the 400 events to be in the producer's queue (metering_ingest_producer_queue)");
            Assert.That(inFlight.Any(t => t.IsCompleted), Is.False, "the requests are still waiting for the broker");

            var exit = gateway.TerminateAsync(TimeSpan.FromSeconds(40));
            await AssertRefusesNewConnectionsAsync(gateway.Url, inFlight);
            var exitCode = await exit;

            using (Assert.EnterMultipleScope())
            {
                Assert.That(exitCode, Is.Zero, gateway.RecentOutput);
                Assert.That(gateway.RecentOutput, Does.Not.Contain("still unacknowledged"));
                foreach (var request in inFlight)
                {
                    using var response = await request;
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
                    using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    Assert.That(answer.RootElement.GetProperty("accepted").GetInt32(), Is.EqualTo(100));
                }
            }
        }
        finally
        {
            cluster.SetRtt(1, TimeSpan.Zero);
        }

        var records = IngestGateway.ReadTopic(topic, tag, expected: 401);
        Assert.That(records.Select(r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("id").GetString()).Distinct().Count(), Is.EqualTo(401),
            "every event answered 202 is in the topic");
    }

    /// <summary>A new connection is refused while the requests taken before SIGTERM still wait for the broker.</summary>
    private static async Task AssertRefusesNewConnectionsAsync(string url, IReadOnlyList<Task<HttpResponseMessage>> inFlight)
    {
        var refused = await Eventually.WaitAsync(
            async () =>
            {
                using var fresh = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
                try
                {
                    using var response = await fresh.GetAsync(new Uri("/health/live", UriKind.Relative));
                    return false;
                }
                catch (HttpRequestException)
                {
                    return true;
                }
            },
            r => r,
            TimeSpan.FromSeconds(10),
            "the gateway to refuse new connections after SIGTERM");
        Assert.That(refused && !inFlight.All(t => t.IsCompleted), Is.True, "new connections are refused before the in-flight requests are answered");
    }

    private static async Task<long> ProducerQueueAsync(string url)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
        var line = (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n')
            .Single(l => l.StartsWith("metering_ingest_producer_queue ", StringComparison.Ordinal));
        return long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string tag, string name, int count)
    {
        var body = "[" + string.Join(",", Enumerable.Range(0, count).Select(i => IngestGateway.Event($"{tag}-{name}-{i}"))) + "]";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/cloudevents-batch+json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", IngestGateway.IngestKey);
        return await client.SendAsync(request);
    }
}
