using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Metering.Testing;

namespace Metering.EndToEnd.Tests;

[EndToEnd]
public sealed class PipelineTests
{
    private static readonly TimeSpan UsageTimeout = TimeSpan.FromSeconds(30);
    private LocalPipeline _pipeline = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pipeline = await LocalPipeline.StartAsync();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _pipeline.DisposeAsync();
    }

    [Test]
    public async Task PostEvents_ValidEvent_ShowsUpInUsage()
    {
        var now = TimeProvider.System.GetUtcNow();
        var account = "acct-" + Guid.NewGuid().ToString("N")[..8];
        var body = $$"""
            {"specversion":"1.0","id":"e2e-1","source":"e2e","type":"api.request","account":"{{account}}",
             "subject":"u-1","time":"{{now:yyyy-MM-ddTHH:mm:ss.fffZ}}","data":{"method":"GET","route":"/v1/things"} }
            """;

        using var posted = await PostEventsAsync(body);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await posted.Content.ReadAsStringAsync());
            using var answer = JsonDocument.Parse(await posted.Content.ReadAsStringAsync());
            Assert.That(answer.RootElement.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
        }

        var usage = await Eventually.WaitAsync(
            () => GetUsageAsync($"api_requests/usage?account={account}&groupBy=subject&groupBy=method"),
            u => u.RootElement.GetProperty("data").GetArrayLength() == 1 && u.RootElement.GetProperty("data")[0].GetProperty("value").GetDouble() == 1,
            UsageTimeout,
            $"the event in usage; aggregator output:{Environment.NewLine}{_pipeline.Aggregator.RecentOutput}");

        var row = usage.RootElement.GetProperty("data")[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(row.GetProperty("subject").GetString(), Is.EqualTo("u-1"));
            Assert.That(row.GetProperty("groupBy").GetProperty("method").GetString(), Is.EqualTo("GET"));
            Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("provisional"));
        }
    }

    [Test]
    public async Task PostEvents_BatchAcrossAccounts_SumsPerAccountAndHour()
    {
        var hour = new DateTimeOffset(TimeProvider.System.GetUtcNow().Date, TimeSpan.Zero).AddHours(-3);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var events = Enumerable.Range(0, 30).Select(i => $$"""
            {"specversion":"1.0","id":"{{tag}}-{{i}}","source":"e2e","type":"flex.tokens","account":"{{tag}}-a{{i % 3}}",
             "subject":"u-{{i % 2}}","time":"{{hour.AddMinutes(i):yyyy-MM-ddTHH:mm:ssZ}}","data":{"tokens":{{i}},"model":"m1"} }
            """);

        using var posted = await PostEventsAsync("[" + string.Join(",", events) + "]", "application/cloudevents-batch+json");
        Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await posted.Content.ReadAsStringAsync());

        var from = hour.ToString("yyyy-MM-ddTHH:mm:ssZ", null);
        var to = hour.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", null);
        var accounts = string.Concat(Enumerable.Range(0, 3).Select(a => $"&account={tag}-a{a}"));
        var usage = await Eventually.WaitAsync(
            () => GetUsageAsync($"tokens/usage?from={from}&to={to}&windowSize=HOUR&groupBy=account{accounts}"),
            u => u.RootElement.GetProperty("data").EnumerateArray().Sum(r => r.GetProperty("value").GetDouble()) == Enumerable.Range(0, 30).Sum(),
            UsageTimeout,
            $"all 30 events in usage; aggregator output:{Environment.NewLine}{_pipeline.Aggregator.RecentOutput}");

        var byAccount = usage.RootElement.GetProperty("data").EnumerateArray()
            .ToDictionary(r => r.GetProperty("groupBy").GetProperty("account").GetString()!, r => r.GetProperty("value").GetDouble());
        Assert.That(byAccount, Is.EquivalentTo(new Dictionary<string, double>
        {
            [$"{tag}-a0"] = Enumerable.Range(0, 30).Where(i => i % 3 == 0).Sum(),
            [$"{tag}-a1"] = Enumerable.Range(0, 30).Where(i => i % 3 == 1).Sum(),
            [$"{tag}-a2"] = Enumerable.Range(0, 30).Where(i => i % 3 == 2).Sum(),
        }));
    }

    [Test]
    public async Task DevBroker_Kcat_ListsEventsTopicWithItsPartitions()
    {
        var start = new ProcessStartInfo("kcat", ["-b", $"127.0.0.1:{_pipeline.KafkaPort}", "-L", "-t", "usage-events", "-m", "10"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var kcat = Process.Start(start)!;
        var output = await kcat.StandardOutput.ReadToEndAsync();
        await kcat.WaitForExitAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(kcat.ExitCode, Is.Zero, await kcat.StandardError.ReadToEndAsync());
            Assert.That(output, Does.Contain("topic \"usage-events\" with 8 partitions"));
        }
    }

    [Test]
    public async Task Metrics_EveryService_ServesPrometheusTextWithoutAKey()
    {
        foreach (var service in new[] { _pipeline.Ingest, _pipeline.Aggregator, _pipeline.Query })
        {
            using var response = await _http.GetAsync(new Uri(service.Url + "/metrics"));
            var text = await response.Content.ReadAsStringAsync();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), service.Name);
                Assert.That(response.Content.Headers.ContentType?.ToString(), Does.StartWith("text/plain; version=0.0.4"), service.Name);
                Assert.That(text, Does.Contain("# TYPE "), service.Name);
            }
        }

        // The aggregator talks to ClickHouse from its first moment (migrations, partition state).
        using var aggregator = await _http.GetAsync(new Uri(_pipeline.Aggregator.Url + "/metrics"));
        Assert.That(await aggregator.Content.ReadAsStringAsync(), Does.Contain("db_client_operation_duration_seconds_bucket{"));
    }

    private async Task<HttpResponseMessage> PostEventsAsync(string body, string contentType = "application/cloudevents+json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_pipeline.Ingest.Url + "/v1/events"))
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LocalPipeline.IngestKey);
        return await _http.SendAsync(request);
    }

    private async Task<JsonDocument> GetUsageAsync(string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_pipeline.Query.Url + "/v1/meters/" + pathAndQuery));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LocalPipeline.ViewerKey);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(text)
            : throw new InvalidOperationException($"GET usage answered {(int)response.StatusCode}: {text}");
    }
}
