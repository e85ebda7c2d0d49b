using System.Net;
using System.Text;
using System.Text.Json;
using Metering.Testing;

namespace Metering.Ingest.Tests;

/// <summary><c>POST /v1/events</c> through real HTTP handling and the real development broker.</summary>
[Integration]
public sealed class EventEndpointsTests
{
    private IngestGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _gateway = await IngestGateway.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [Test]
    public async Task Post_MixedBatch_AcceptsTheValidEventsIntoTheTopicWithTheirStamp()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var body = $"[{IngestGateway.Event($"{tag}-ok-1")},{{\"id\":1}},{IngestGateway.Event($"{tag}-ok-2", account: "globex")}]";

        using var response = await _gateway.PostAsync(body, "application/cloudevents-batch+json");
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(answer.RootElement.GetProperty("accepted").GetInt32(), Is.EqualTo(2));
            var rejected = answer.RootElement.GetProperty("rejected");
            Assert.That(rejected.GetArrayLength(), Is.EqualTo(1));
            Assert.That(rejected[0].GetProperty("index").GetInt32(), Is.EqualTo(1));
            Assert.That(rejected[0].GetProperty("reason").GetString(), Is.EqualTo("specversion: required"));
        }

        var records = _gateway.ReadTopic(tag, expected: 2);
        Assert.That(records, Has.Count.EqualTo(2));
        foreach (var record in records)
        {
            using var value = JsonDocument.Parse(record.Message.Value);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(record.Message.Key, Is.EqualTo(value.RootElement.GetProperty("account").GetString()));
                Assert.That(value.RootElement.GetProperty("ingestid").GetString(), Is.Not.Empty);
                Assert.That(value.RootElement.TryGetProperty("ingesttime", out _), Is.True);
                Assert.That(Encoding.ASCII.GetString(record.Message.Headers.GetLastBytes("schema-version")), Is.EqualTo("1"));
            }
        }
    }

    [Test]
    public async Task Post_WithATraceparent_EveryRecordCarriesTheCallersTraceAndTheSchemaVersion()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string callerSpan = "00f067aa0ba902b7";
        using var client = _gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = new StringContent($"[{IngestGateway.Event($"{tag}-1")},{IngestGateway.Event($"{tag}-2", account: "globex")}]",
                Encoding.UTF8, "application/cloudevents-batch+json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", IngestGateway.IngestKey);
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{callerSpan}-01");

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        var records = _gateway.ReadTopic(tag, expected: 2);
        Assert.That(records, Has.Count.EqualTo(2));
        foreach (var record in records)
        {
            var traceParent = Encoding.ASCII.GetString(record.Message.Headers.GetLastBytes("traceparent"));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(traceParent, Does.Match("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$"));
                Assert.That(traceParent.Split('-')[1], Is.EqualTo(traceId), "the record continues the caller's trace");
                Assert.That(traceParent.Split('-')[2], Is.Not.EqualTo(callerSpan), "the parent is the gateway's send span");
                Assert.That(Encoding.ASCII.GetString(record.Message.Headers.GetLastBytes("schema-version")), Is.EqualTo("1"));
            }
        }
    }

    [Test]
    public async Task Post_WithoutATraceparent_EveryRecordStillCarriesAW3CTraceparent()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];

        using var response = await _gateway.PostAsync($"[{IngestGateway.Event($"{tag}-1")},{IngestGateway.Event($"{tag}-2")}]");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        var records = _gateway.ReadTopic(tag, expected: 2);
        Assert.That(records, Has.Count.EqualTo(2));
        Assert.That(records.Select(r => Encoding.ASCII.GetString(r.Message.Headers.GetLastBytes("traceparent"))),
            Has.All.Match("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$"));
    }

    [TestCase(null, HttpStatusCode.Unauthorized)]
    [TestCase("not-a-configured-key-0000", HttpStatusCode.Unauthorized)]
    [TestCase(IngestGateway.ViewerKey, HttpStatusCode.Forbidden)]
    public async Task Post_KeyWithoutIngestRole_IsRefused(string? key, HttpStatusCode expected)
    {
        using var response = await _gateway.PostAsync(IngestGateway.Event("auth-1"), key: key);

        await AssertProblemAsync(response, expected);
    }

    [Test]
    public async Task Post_ScopedKeySendingAnotherAccount_IsForbidden()
    {
        using var response = await _gateway.PostAsync(IngestGateway.Event("scoped-1", account: "someone-else"), key: IngestGateway.ScopedKey);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Post_ScopedKeySendingItsAccount_IsAccepted()
    {
        using var response = await _gateway.PostAsync(
            IngestGateway.Event("scoped-2", account: IngestGateway.ScopedAccount), key: IngestGateway.ScopedKey);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [TestCase("text/plain")]
    [TestCase("application/xml")]
    [TestCase("application/json; charset=latin1")]
    [TestCase(null)]
    public async Task Post_UnsupportedContentType_Is415(string? contentType)
    {
        using var response = await _gateway.PostAsync(IngestGateway.Event("ct-1"), contentType);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [TestCase(1_001)]
    [TestCase(10_001)]
    public async Task Post_MoreEventsThanAllowed_Is413(int count)
    {
        var body = "[" + string.Join(",", Enumerable.Repeat("{}", count)) + "]";

        using var response = await _gateway.PostAsync(body);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task Post_BodyOverOneMebibyte_Is413()
    {
        var body = IngestGateway.Event("big-1", extra: $",\"data\":{{\"pad\":\"{new string('x', 2 * 1024 * 1024)}\"}}");

        using var response = await _gateway.PostAsync(body);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [TestCase("")]
    [TestCase("{\"specversion\":\"1.0\",")]
    [TestCase("not json")]
    [TestCase("42")]
    [TestCase("\"a string\"")]
    [TestCase("[{}]")]
    public async Task Post_NothingValid_Is400WithAReason(string body)
    {
        using var response = await _gateway.PostAsync(body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Post_DeepNesting_Is400()
    {
        var body = new string('[', 10_000) + new string(']', 10_000);

        using var response = await _gateway.PostAsync(body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Post_InvalidUtf8_Is400()
    {
        using var client = _gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = new ByteArrayContent([.. "{\"id\":\""u8, 0xFF, 0xFE, .. "\"}"u8]),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", IngestGateway.IngestKey);

        using var response = await client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [TestCase("\"id\":\"a\\u0000b\"", "id: contains a control character or an unpaired surrogate")]
    [TestCase("\"id\":\"a\\uD800b\"", "id: contains a control character or an unpaired surrogate")]
    [TestCase("\"data\":[1,2]", "data: must be a JSON object or null, not an array")]
    [TestCase("\"time\":\"2020-01-01T00:00:00Z\"", "time: older than the retention of open windows (35 days)")]
    [TestCase("\"time\":\"2999-01-01T00:00:00Z\"", "time: more than 5 minutes in the future")]
    [TestCase("\"account\":7", "account: must be a string, not a number")]
    public async Task Post_BadEventBesideAGoodOne_RejectsOnlyTheBadOne(string attribute, string reason)
    {
        // A repeated property's last occurrence is the one read, so the bad value goes last.
        var bad = IngestGateway.Event("bad-" + Guid.NewGuid().ToString("N")[..6])[..^1] + "," + attribute + "}";
        var body = $"[{bad},{IngestGateway.Event("good-" + Guid.NewGuid().ToString("N")[..6])}]";

        using var response = await _gateway.PostAsync(body);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(answer.RootElement.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
            Assert.That(answer.RootElement.GetProperty("rejected")[0].GetProperty("reason").GetString(), Is.EqualTo(reason));
        }
    }

    [Test]
    public async Task Metrics_AfterAMixedBatch_CountEventsByOutcomeAndReasonClass()
    {
        var body = $"[{IngestGateway.Event("metrics-" + Guid.NewGuid().ToString("N")[..6])},{IngestGateway.Event("metrics-bad", time: "yesterday")}]";
        using (var posted = await _gateway.PostAsync(body))
        {
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        using var client = _gateway.CreateClient();
        var lines = (await client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n');

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines, Has.Some.StartWith("metering_ingest_events_total{metering_outcome=\"accepted\"} "));
            Assert.That(lines, Has.Some.StartWith("metering_ingest_events_total{metering_outcome=\"rejected\",metering_reason_class=\"time\"} "));
            Assert.That(lines, Has.Some.StartWith("messaging_client_sent_messages_total{").And.Contain("messaging_system=\"kafka\""));
            Assert.That(lines, Has.Some.StartWith("messaging_client_operation_duration_seconds_bucket{"));
            Assert.That(lines, Has.Some.StartWith("http_server_request_duration_seconds_bucket{"));
            Assert.That(lines, Has.Some.StartWith("metering_ingest_producer_queue "), "producer queue depth");
            Assert.That(lines, Has.Some.EqualTo("# TYPE metering_ingest_producer_queue gauge"));
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(expected), text);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            using var problem = JsonDocument.Parse(text);
            Assert.That(problem.RootElement.GetProperty("detail").GetString(), Is.Not.Empty);
        }
    }
}
