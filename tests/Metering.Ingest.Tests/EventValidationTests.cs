using System.Net;
using System.Text;
using System.Text.Json;
using Metering.Testing;

namespace Metering.Ingest.Tests;

/// <summary>
/// Every rule of DESIGN.md §4 and a corpus of bad input, sent beside a valid event: the bad event is
/// rejected by index and id with its exact reason, and the valid one lands in the topic.
/// </summary>
[Integration]
public sealed class EventValidationTests
{
    private const string Future = "more than 5 minutes in the future";
    private const string NotPrintable = "contains a control character or an unpaired surrogate";
    private static readonly int[] AllIndexes = [0, 1, 2];
    private static readonly string?[] AllIds = ["a-1", null, "a-3"];
    private static readonly string[] AllReasons = ["time: required", "event: must be a JSON object, not a number", "account: must not be empty"];
    private static readonly string[] MixedAccounts = ["acme", "globex"];
    private IngestGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _gateway = await IngestGateway.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    /// <summary>An event whose attribute <paramref name="name"/> is the raw JSON <paramref name="value"/>, or absent when null.</summary>
    private static string EventWith(string id, string name, string? value)
    {
        var attributes = new Dictionary<string, string>
        {
            ["specversion"] = "\"1.0\"",
            ["id"] = JsonSerializer.Serialize(id),
            ["source"] = "\"tests\"",
            ["type"] = "\"api.request\"",
            ["account"] = "\"acme\"",
            ["subject"] = "\"u-1\"",
            ["time"] = $"\"{IngestGateway.Now()}\"",
        };
        if (value is null)
        {
            attributes.Remove(name);
        }
        else
        {
            attributes[name] = value;
        }

        return "{" + string.Join(",", attributes.Select(a => $"\"{a.Key}\":{a.Value}")) + "}";
    }

    /// <summary>A rejection's id; the gateway leaves the property out when the event has no usable id.</summary>
    private static string? IdOf(JsonElement rejection) =>
        rejection.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    private static string Tag() => Guid.NewGuid().ToString("N")[..10];

    /// <summary>Posts [valid, bad] and checks the answer names the bad one; returns the answer for further checks.</summary>
    private async Task<JsonElement> PostBesideAValidEventAsync(string badEvent, string reason, string goodId)
    {
        using var response = await _gateway.PostBytesAsync(
            [.. "["u8, .. Encoding.UTF8.GetBytes(IngestGateway.Event(goodId)), .. ","u8, .. Encoding.UTF8.GetBytes(badEvent), .. "]"u8]);
        return await AssertOneRejectedAsync(response, reason, goodId);
    }

    private async Task<JsonElement> AssertOneRejectedAsync(HttpResponseMessage response, string reason, string goodId)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), text);
        using var answer = JsonDocument.Parse(text);
        var root = answer.RootElement.Clone();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
            Assert.That(root.GetProperty("rejected").GetArrayLength(), Is.EqualTo(1));
            Assert.That(root.GetProperty("rejected")[0].GetProperty("index").GetInt32(), Is.EqualTo(1));
            Assert.That(root.GetProperty("rejected")[0].GetProperty("reason").GetString(), Is.EqualTo(reason));
        }

        Assert.That(_gateway.ReadTopic(goodId, expected: 1), Has.Count.EqualTo(1), "the valid event of the batch is in the topic");
        return root.GetProperty("rejected")[0];
    }

    [TestCase("specversion", null, "specversion: required")]
    [TestCase("specversion", "null", "specversion: required")]
    [TestCase("specversion", "\"0.3\"", "specversion: must be \"1.0\"")]
    [TestCase("specversion", "\"1.0 \"", "specversion: must be \"1.0\"")]
    [TestCase("specversion", "1.0", "specversion: must be a string, not a number")]
    [TestCase("source", null, "source: required")]
    [TestCase("source", "\"\"", "source: must not be empty")]
    [TestCase("source", "true", "source: must be a string, not a boolean")]
    [TestCase("type", null, "type: required")]
    [TestCase("type", "\"\"", "type: must not be empty")]
    [TestCase("type", "[]", "type: must be a string, not an array")]
    [TestCase("account", null, "account: required")]
    [TestCase("account", "\"\"", "account: must not be empty")]
    [TestCase("account", "{}", "account: must be a string, not an object")]
    [TestCase("account", "7", "account: must be a string, not a number")]
    [TestCase("time", null, "time: required")]
    [TestCase("time", "1793000000", "time: must be a string, not a number")]
    [TestCase("time", "\"yesterday\"", "time: not an RFC 3339 timestamp (e.g. 2026-11-01T12:00:00Z)")]
    [TestCase("time", "\"2026-11-01T12:00:00\"", "time: not an RFC 3339 timestamp (e.g. 2026-11-01T12:00:00Z)")]
    [TestCase("time", "\"2026-11-01\"", "time: not an RFC 3339 timestamp (e.g. 2026-11-01T12:00:00Z)")]
    [TestCase("time", "\"2026-13-45T12:00:00Z\"", "time: not an RFC 3339 timestamp (e.g. 2026-11-01T12:00:00Z)")]
    [TestCase("time", "\"+275760-09-13T00:00:00Z\"", "time: not an RFC 3339 timestamp (e.g. 2026-11-01T12:00:00Z)")]
    [TestCase("time", "\"9999-12-31T23:59:59Z\"", "time: " + Future)]
    [TestCase("time", "\"0001-01-01T00:00:00Z\"", "time: older than the retention of open windows (35 days)")]
    [TestCase("time", "\"1970-01-01T00:00:00Z\"", "time: older than the retention of open windows (35 days)")]
    [TestCase("subject", "\"\"", "subject: must not be empty")]
    [TestCase("subject", "1", "subject: must be a string, not a number")]
    [TestCase("data", "\"text\"", "data: must be a JSON object or null, not a string")]
    [TestCase("data", "5", "data: must be a JSON object or null, not a number")]
    [TestCase("data", "[1,2]", "data: must be a JSON object or null, not an array")]
    [TestCase("data", "false", "data: must be a JSON object or null, not a boolean")]
    [TestCase("source", "\"a\\u0001b\"", "source: " + NotPrintable)]
    [TestCase("type", "\"a\\nb\"", "type: " + NotPrintable)]
    [TestCase("account", "\"a\\u007fb\"", "account: " + NotPrintable)]
    [TestCase("subject", "\"\\uD800\"", "subject: " + NotPrintable)]
    [TestCase("account", "\"\\uDC00x\"", "account: " + NotPrintable)]
    public async Task Post_EventBreakingARule_IsRejectedByIndexAndIdWhileTheValidOneLands(string name, string? value, string reason)
    {
        var badId = "bad-" + Tag();

        var rejected = await PostBesideAValidEventAsync(EventWith(badId, name, value), $"{reason}", "good-" + Tag());

        Assert.That(IdOf(rejected), Is.EqualTo(badId));
    }

    [TestCase("id", null, "id: required")]
    [TestCase("id", "null", "id: required")]
    [TestCase("id", "\"\"", "id: must not be empty")]
    [TestCase("id", "7", "id: must be a string, not a number")]
    [TestCase("id", "\"a\\u0000b\"", "id: " + NotPrintable)]
    [TestCase("id", "\"\\u001b[31m\"", "id: " + NotPrintable)]
    [TestCase("id", "\"a\\uD800b\"", "id: " + NotPrintable)]
    [TestCase("id", "\"\\uDBFF\\uDBFF\"", "id: " + NotPrintable)]
    public async Task Post_EventWithAnUnusableId_IsRejectedWithoutAnId(string name, string? value, string reason)
    {
        var rejected = await PostBesideAValidEventAsync(EventWith("unused", name, value), reason, "good-" + Tag());

        Assert.That(IdOf(rejected), Is.Null.Or.Empty);
    }

    [TestCase("id", 257)]
    [TestCase("source", 257)]
    [TestCase("type", 257)]
    [TestCase("account", 257)]
    [TestCase("subject", 257)]
    [TestCase("id", 1_000_000)]
    public async Task Post_AttributeLongerThan256Characters_IsRejected(string name, int length)
    {
        var bad = EventWith("long-" + Tag(), name, $"\"{new string('x', length)}\"");

        var rejected = await PostBesideAValidEventAsync(bad, $"{name}: longer than 256 characters", "good-" + Tag());

        if (name == "id")
        {
            Assert.That(rejected.GetProperty("id").GetString(), Has.Length.LessThanOrEqualTo(65), "a huge id is not echoed whole");
        }
    }

    [TestCase("id")]
    [TestCase("source")]
    [TestCase("type")]
    [TestCase("account")]
    [TestCase("subject")]
    public async Task Post_AttributeOf256Characters_IsAccepted(string name)
    {
        var tag = Tag();
        var value = name == "id" ? tag + new string('x', 256 - tag.Length) : new string('x', 256);
        var body = name == "id" ? EventWith(value, "id", JsonSerializer.Serialize(value)) : EventWith(tag, name, $"\"{value}\"");

        using var response = await _gateway.PostAsync(body, "application/cloudevents+json");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        Assert.That(_gateway.ReadTopic(tag, expected: 1), Has.Count.EqualTo(1));
    }

    [TestCase("subject", null)]
    [TestCase("subject", "null")]
    [TestCase("data", null)]
    [TestCase("data", "null")]
    [TestCase("data", "{}")]
    [TestCase("data", "{\"tokens\":5,\"model\":\"m\",\"nested\":{\"a\":[1,{\"b\":null}]}}")]
    [TestCase("data", "{\"text\":\"\\uD800\"}")]
    [TestCase("time", "\"2026-11-01T12:00:00+02:00\"")]
    [TestCase("id", "\"caf\\u00e9-\\uD83D\\uDE00\"")]
    public async Task Post_OptionalOrUnusualButValidAttribute_IsAccepted(string name, string? value)
    {
        var tag = Tag();
        var body = EventWith(tag, name, value);
        if (name == "time")
        {
            var time = TimeProvider.System.GetUtcNow().ToOffset(TimeSpan.FromHours(2));
            body = EventWith(tag, name, $"\"{time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture)}\"");
        }
        else if (name == "id")
        {
            body = EventWith(tag, "source", $"\"{tag}\"").Replace($"\"id\":\"{tag}\"", $"\"id\":{value}", StringComparison.Ordinal);
        }

        using var response = await _gateway.PostAsync(body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        Assert.That(_gateway.ReadTopic(tag, expected: 1), Has.Count.EqualTo(1));
    }

    [TestCase(-4)]
    [TestCase(60 * 24 * 34)]
    public async Task Post_TimeInsideTheWindow_IsAccepted(int minutesAgo)
    {
        var tag = Tag();

        using var response = await _gateway.PostAsync(IngestGateway.Event(tag, time: IngestGateway.Now(TimeSpan.FromMinutes(-minutesAgo))));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
    }

    [TestCase(6, "time: " + Future)]
    [TestCase(-60 * 24 * 36, "time: older than the retention of open windows (35 days)")]
    public async Task Post_TimeOutsideTheWindow_IsRejected(int minutesAhead, string reason)
    {
        var bad = IngestGateway.Event("t-" + Tag(), time: IngestGateway.Now(TimeSpan.FromMinutes(minutesAhead)));

        await PostBesideAValidEventAsync(bad, reason, "good-" + Tag());
    }

    [TestCase("5", "event: must be a JSON object, not a number")]
    [TestCase("\"e\"", "event: must be a JSON object, not a string")]
    [TestCase("null", "event: must be a JSON object, not null")]
    [TestCase("[]", "event: must be a JSON object, not an array")]
    [TestCase("true", "event: must be a JSON object, not a boolean")]
    public async Task Post_BatchElementThatIsNotAnObject_IsRejected(string element, string reason)
    {
        var rejected = await PostBesideAValidEventAsync(element, reason, "good-" + Tag());

        Assert.That(IdOf(rejected), Is.Null);
    }

    [Test]
    public async Task Post_DataNestedWithinTheDepthLimit_IsAccepted()
    {
        var tag = Tag();
        var data = string.Concat(Enumerable.Repeat("{\"a\":", 50)) + "1" + new string('}', 50);

        using var response = await _gateway.PostAsync(EventWith(tag, "data", data));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
    }

    [TestCase(100)]
    [TestCase(10_000)]
    public async Task Post_DataNestedTooDeep_Is400(int depth)
    {
        var data = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

        using var response = await _gateway.PostAsync($"[{IngestGateway.Event("good-" + Tag())},{EventWith("deep", "data", data)}]");

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.StartWith("body: not valid JSON"));
    }

    [TestCase("id")]
    [TestCase("source")]
    [TestCase("account")]
    [TestCase("data")]
    public async Task Post_InvalidUtf8InAnEvent_IsRejectedWithoutA500(string name)
    {
        var goodId = "good-" + Tag();
        var bad = name == "data"
            ? Encoding.UTF8.GetBytes(EventWith("utf8-" + Tag(), "data", "{\"k\":\"@@\"}"))
            : Encoding.UTF8.GetBytes(EventWith("utf8-" + Tag(), name, "\"@@\""));
        var at = Array.IndexOf(bad, (byte)'@');
        bad[at] = 0xFF;
        bad[at + 1] = 0xC0;

        using var response = await _gateway.PostBytesAsync(
            [.. "["u8, .. Encoding.UTF8.GetBytes(IngestGateway.Event(goodId)), .. ","u8, .. bad, .. "]"u8]);

        // Either the whole body is refused as not UTF-8 JSON, or the event alone with the attribute named.
        Assert.That((int)response.StatusCode, Is.EqualTo(202).Or.EqualTo(400), await response.Content.ReadAsStringAsync());
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            await AssertOneRejectedAsync(response, $"{name}: {(name == "data" ? "not valid UTF-8" : NotPrintable)}", goodId);
        }
        else
        {
            using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        }
    }

    [Test]
    public async Task Post_PropertyNameWithAnEscapedUnpairedSurrogate_IsIgnoredNot500(
        [Values(IngestGateway.IngestKey, IngestGateway.ScopedKey)] string key)
    {
        var tag = Tag();
        var body = IngestGateway.Event(tag, account: IngestGateway.ScopedAccount, extra: ",\"\\uD800\":1");

        using var response = await _gateway.PostAsync(body, key: key);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        Assert.That(_gateway.ReadTopic(tag, expected: 1), Has.Count.EqualTo(1));
    }

    [TestCase("{\"specversion\":\"1.0\",\"id\":\"a\tb\"}")]
    [TestCase("[{\"id\":1},]")]
    [TestCase("[{\"id\":1}")]
    [TestCase("{'id':'single quotes'}")]
    [TestCase("{\"id\":NaN}")]
    [TestCase("\uFEFF")]
    [TestCase("[{\"id\":\"x\"} {\"id\":\"y\"}]")]
    [TestCase("{} {}")]
    public async Task Post_MalformedJson_Is400WithARejectedList(string body)
    {
        using var response = await _gateway.PostAsync(body);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.StartWith("body: not valid JSON"));
    }

    [Test]
    public async Task Post_AllEventsInvalid_Is400ListingEveryRejection()
    {
        var body = $"[{EventWith("a-1", "time", null)},5,{EventWith("a-3", "account", "\"\"")}]";

        using var response = await _gateway.PostAsync(body, "application/cloudevents-batch+json");

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        var rejected = problem.RootElement.GetProperty("rejected");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rejected.EnumerateArray().Select(r => r.GetProperty("index").GetInt32()), Is.EqualTo(AllIndexes));
            Assert.That(rejected.EnumerateArray().Select(IdOf), Is.EqualTo(AllIds));
            Assert.That(
                rejected.EnumerateArray().Select(r => r.GetProperty("reason").GetString()),
                Is.EqualTo(AllReasons));
        }
    }

    [Test]
    public async Task Post_MixedBatch_ReadBackHasKeyAccountStampAndSchemaVersion()
    {
        var tag = Tag();
        var body = $"[{IngestGateway.Event($"{tag}-1", account: "acme")},{EventWith($"{tag}-bad", "type", null)},"
            + $"{IngestGateway.Event($"{tag}-2", account: "globex", extra: ",\"data\":{\"tokens\":12}")}]";

        using var response = await _gateway.PostAsync(body, "application/cloudevents-batch+json");
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(answer.RootElement.GetProperty("accepted").GetInt32(), Is.EqualTo(2));
            var rejected = answer.RootElement.GetProperty("rejected")[0];
            Assert.That(rejected.GetProperty("index").GetInt32(), Is.EqualTo(1));
            Assert.That(rejected.GetProperty("id").GetString(), Is.EqualTo($"{tag}-bad"));
            Assert.That(rejected.GetProperty("reason").GetString(), Is.EqualTo("type: required"));
        }

        var records = _gateway.ReadTopic(tag, expected: 2);
        Assert.That(records.Select(r => r.Message.Key), Is.EquivalentTo(MixedAccounts));
        foreach (var record in records)
        {
            using var value = JsonDocument.Parse(record.Message.Value);
            var root = value.RootElement;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(root.GetProperty("id").GetString(), Does.StartWith(tag));
                Assert.That(record.Message.Key, Is.EqualTo(root.GetProperty("account").GetString()));
                Assert.That(root.GetProperty("ingestid").GetString(), Has.Length.EqualTo(32));
                Assert.That(Metering.Events.CloudEventReader.TryParseRfc3339(root.GetProperty("ingesttime").GetString()!, out var stamped), Is.True);
                Assert.That(stamped, Is.EqualTo(TimeProvider.System.GetUtcNow()).Within(TimeSpan.FromMinutes(1)));
                Assert.That(Encoding.ASCII.GetString(record.Message.Headers.GetLastBytes("schema-version")), Is.EqualTo("1"));
            }
        }

        Assert.That(records.Select(r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("ingestid").GetString()).Distinct().Count(), Is.EqualTo(2));
    }
}
