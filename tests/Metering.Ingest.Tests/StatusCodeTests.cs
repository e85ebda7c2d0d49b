using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Metering.Testing;

namespace Metering.Ingest.Tests;

/// <summary>The status codes of API.md for requests refused whole, each with a problem body.</summary>
[Integration]
public sealed class StatusCodeTests
{
    private IngestGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _gateway = await IngestGateway.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [TestCase("Bearer")]
    [TestCase("Bearer ")]
    [TestCase("Basic dGVzdC1pbmdlc3Qta2V5LTAwMDAwMDAwMQ==")]
    [TestCase(IngestGateway.IngestKey)]
    [TestCase("Token " + IngestGateway.IngestKey)]
    [TestCase("Bearer " + IngestGateway.IngestKey + "x")]
    [TestCase("Bearer " + IngestGateway.IngestKey + " " + IngestGateway.IngestKey)]
    [TestCase("Bearer test-ingest-key-00000000")]
    public async Task Post_MalformedOrUnknownAuthorization_Is401(string authorization)
    {
        using var client = _gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = new StringContent(IngestGateway.Event("auth-x"), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await client.SendAsync(request);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Unauthorized);
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
    }

    [Test]
    public async Task Post_NoKeyAndUnsupportedContentType_Is401First()
    {
        using var response = await _gateway.PostAsync("<event/>", "application/xml", key: null);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Post_ViewerKey_Is403()
    {
        using var response = await _gateway.PostAsync(IngestGateway.Event("viewer-1"), key: IngestGateway.ViewerKey);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
    }

    [TestCase("\"account\":\"someone-else\"")]
    [TestCase("\"account\":\"SCOPED-ACCT\"")]
    [TestCase("\"account\":7")]
    [TestCase("\"account\":null")]
    public async Task Post_ScopedKeyInABatchWithAnotherAccount_Is403AndAcceptsNothing(string account)
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var body = $"[{IngestGateway.Event(tag + "-own", account: IngestGateway.ScopedAccount)},"
            + $"{IngestGateway.Event(tag + "-other")[..^1]},{account}}}]";

        using var response = await _gateway.PostAsync(body, key: IngestGateway.ScopedKey);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
        Assert.That(_gateway.ReadTopicFor(tag, TimeSpan.FromSeconds(1)), Is.Empty);
    }

    [TestCase("text/plain")]
    [TestCase("application/xml")]
    [TestCase("application/cloudevents+xml")]
    [TestCase("multipart/form-data; boundary=x")]
    [TestCase("application/json; charset=utf-16")]
    [TestCase("application/json; charset=iso-8859-1")]
    [TestCase("application/x-www-form-urlencoded")]
    [TestCase("json")]
    [TestCase(null)]
    public async Task Post_UnsupportedContentType_Is415(string? contentType)
    {
        using var response = await _gateway.PostBytesAsync(Encoding.UTF8.GetBytes(IngestGateway.Event("ct-x")), contentType);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [TestCase("application/json")]
    [TestCase("application/json; charset=utf-8")]
    [TestCase("application/json; charset=UTF-8")]
    [TestCase("application/json; charset=\"utf-8\"")]
    [TestCase("Application/JSON")]
    [TestCase("application/cloudevents+json")]
    [TestCase("application/cloudevents+json; charset=utf-8")]
    public async Task Post_SupportedContentType_IsAccepted(string contentType)
    {
        using var response = await _gateway.PostBytesAsync(Encoding.UTF8.GetBytes(IngestGateway.Event("ct-ok")), contentType);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
    }

    [TestCase("application/cloudevents+json", "[{}]")]
    [TestCase("application/cloudevents-batch+json", "{}")]
    public async Task Post_BodyShapeNotMatchingTheContentType_Is400(string contentType, string body)
    {
        using var response = await _gateway.PostAsync(body, contentType);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.RootElement.TryGetProperty("rejected", out _), Is.True);
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase("{\"specversion\":\"1.0\",")]
    [TestCase("[")]
    [TestCase("not json")]
    [TestCase("42")]
    [TestCase("\"a string\"")]
    [TestCase("null")]
    [TestCase("[]")]
    [TestCase("{}")]
    public async Task Post_NotAnEvent_Is400WithARejectedList(string body)
    {
        using var response = await _gateway.PostAsync(body);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.RootElement.GetProperty("rejected").GetArrayLength(), Is.EqualTo(body is "42" or "\"a string\"" or "null" or "{}" ? 1 : 0));
    }

    [TestCase(10_000)]
    [TestCase(100_000)]
    public async Task Post_DeeplyNestedBody_Is400(int depth)
    {
        using var response = await _gateway.PostAsync(new string('[', depth) + new string(']', depth));

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Post_InvalidUtf8Body_Is400()
    {
        using var response = await _gateway.PostBytesAsync([0xC3, 0x28, 0xFF, 0xFE, (byte)'{', (byte)'}']);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
    }

    [TestCase(1_001)]
    [TestCase(10_001)]
    public async Task Post_MoreEventsThanTheDefaultLimit_Is413(int count)
    {
        var one = IngestGateway.Event("many");
        using var response = await _gateway.PostAsync("[" + string.Join(",", Enumerable.Repeat(count > 5000 ? "{}" : one, count)) + "]");

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task Post_ExactlyTheDefaultEventLimit_IsAccepted()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var body = "[" + string.Join(",", Enumerable.Range(0, 1000).Select(i => IngestGateway.Event($"{tag}-{i}"))) + "]";

        using var response = await _gateway.PostAsync(body, "application/cloudevents-batch+json");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Post_TwoMebibyteBody_Is413(bool withContentLength)
    {
        var body = Encoding.UTF8.GetBytes(IngestGateway.Event("big", extra: $",\"data\":{{\"pad\":\"{new string('x', 2 * 1024 * 1024)}\"}}"));
        using var client = _gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = withContentLength ? new ByteArrayContent(body) : new StreamContent(new UnknownLengthStream(body)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", IngestGateway.IngestKey);

        using var response = await client.SendAsync(request);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task Post_EventLargerThanTheBrokerTakes_IsRejectedNot503()
    {
        // Under the 1 MiB body limit, over librdkafka's default message.max.bytes (1,000,000).
        var tag = Guid.NewGuid().ToString("N")[..10];
        var big = IngestGateway.Event(tag + "-big", extra: $",\"data\":{{\"pad\":\"{new string('x', 1_020_000)}\"}}");

        using var response = await _gateway.PostAsync($"[{IngestGateway.Event(tag + "-small")},{big}]");

        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), text);
        using var answer = System.Text.Json.JsonDocument.Parse(text);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.RootElement.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
            Assert.That(answer.RootElement.GetProperty("rejected")[0].GetProperty("index").GetInt32(), Is.EqualTo(1));
            Assert.That(answer.RootElement.GetProperty("rejected")[0].GetProperty("reason").GetString(), Is.EqualTo("event: larger than 921600 bytes"));
        }

        Assert.That(_gateway.ReadTopic(tag + "-small", expected: 1), Has.Count.EqualTo(1));
    }

    [TestCase("/health/live")]
    [TestCase("/metrics")]
    [TestCase("/openapi/v1.json")]
    public async Task Get_OperationalEndpointWithoutAKey_Is200(string path)
    {
        using var client = _gateway.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task HealthReady_BrokerUp_Is200()
    {
        using var client = _gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    /// <summary>A request body sent chunked, without Content-Length.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>A gateway configured with small limits: a 2 KiB body and 3 events a request.</summary>
[Integration]
public sealed class SmallLimitsTests
{
    private IngestGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _gateway = await IngestGateway.StartAsync(new Dictionary<string, string>
    {
        ["Ingest:MaxBodyBytes"] = "2048",
        ["Ingest:MaxEventsPerRequest"] = "3",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [TestCase(2049)]
    [TestCase(4096)]
    public async Task Post_BodyOverTheConfiguredLimit_Is413(int size)
    {
        var body = IngestGateway.Event("small", extra: ",\"data\":{\"pad\":\"\"}");
        body = body.Replace("\"pad\":\"\"", $"\"pad\":\"{new string('x', size - body.Length)}\"", StringComparison.Ordinal);
        Assert.That(Encoding.UTF8.GetByteCount(body), Is.EqualTo(size));

        using var response = await _gateway.PostAsync(body);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task Post_BodyAtTheConfiguredLimit_IsAccepted()
    {
        var body = IngestGateway.Event("small", extra: ",\"data\":{\"pad\":\"\"}");
        body = body.Replace("\"pad\":\"\"", $"\"pad\":\"{new string('x', 2048 - body.Length)}\"", StringComparison.Ordinal);

        using var response = await _gateway.PostAsync(body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
    }

    [TestCase(3, HttpStatusCode.Accepted)]
    [TestCase(4, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Post_EventCountAroundTheConfiguredLimit_IsAnsweredAccordingly(int count, HttpStatusCode expected)
    {
        var body = "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"specversion\":\"1.0\",\"id\":\"{i}\",\"source\":\"s\",\"type\":\"t\",\"account\":\"a\",\"time\":\"{IngestGateway.Now()}\"}}")) + "]";

        using var response = await _gateway.PostAsync(body);

        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        if (expected != HttpStatusCode.Accepted)
        {
            using var problem = await Problems.AssertAsync(response, expected);
        }
    }
}
