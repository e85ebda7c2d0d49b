using System.Text;
using System.Text.Json;

namespace Metering.Events.Tests;

public class UsageEventCodecTests
{
    private const string MissingField = "record: id, source, type or account missing";
    private const string BadTime = "record: time missing or not an RFC 3339 timestamp";

    private static readonly DateTimeOffset Time = new(2026, 11, 1, 11, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset IngestedAt = new(2026, 11, 1, 11, 0, 2, TimeSpan.Zero);

    private static readonly UsageEvent Full = new(
        "evt-1", "billing-api", "flex.tokens", Time, "user-1", "acme", "{\"tokens\":12,\"model\":\"m1\"}", "ingest-1",
        IngestedAt);

    [TestCaseSource(nameof(Events))]
    public void Serialize_ThenDeserialize_RoundTripsEveryField(UsageEvent usageEvent)
    {
        var decoded = UsageEventCodec.Deserialize(UsageEventCodec.Serialize(usageEvent), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(decoded, Is.EqualTo(usageEvent));
            Assert.That(decoded?.Time.Ticks, Is.EqualTo(usageEvent.Time.UtcTicks));
            Assert.That(decoded?.Time.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(decoded?.IngestedAt.Ticks, Is.EqualTo(usageEvent.IngestedAt.UtcTicks));
            Assert.That(decoded?.IngestedAt.Offset, Is.EqualTo(TimeSpan.Zero));
        }
    }

    [TestCaseSource(nameof(Events))]
    public void DeserializeKeepingData_ReadsTheEventWithItsDataAsUtf8(UsageEvent usageEvent)
    {
        var value = UsageEventCodec.Serialize(usageEvent);

        var decoded = UsageEventCodec.DeserializeKeepingData(value, new Utf8StringCache(), out var data, out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(decoded, Is.EqualTo(usageEvent with { Data = null }));
            Assert.That(Encoding.UTF8.GetString(data.Span), Is.EqualTo(usageEvent.Data ?? ""));
        }
    }

    [Test]
    public void DeserializeKeepingData_DataNotUtf8_IsReplacedAsTheStringOfDeserializeIs()
    {
        byte[] value = [.. """{"id":"e","source":"s","type":"t","time":"2026-11-01T11:00:00Z","account":"a","data":{"k":"v"""u8, 0xFF,
            .. "\"}}"u8];

        var asText = UsageEventCodec.Deserialize(value, out var textReason);
        var kept = UsageEventCodec.DeserializeKeepingData(value, null, out var data, out var keptReason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((textReason, keptReason), Is.EqualTo(((string?)null, (string?)null)));
            Assert.That(kept, Is.Not.Null);
            Assert.That(data.ToArray(), Is.EqualTo(Encoding.UTF8.GetBytes(asText!.Data!)));
            Assert.That(asText.Data, Does.Contain("\uFFFD"));
        }
    }

    [Test]
    public void Deserialize_WithStrings_ReadsTheSameEventAndSharesItsRepeatedValues()
    {
        var strings = new Utf8StringCache();
        var value = UsageEventCodec.Serialize(Full);

        var first = UsageEventCodec.Deserialize(value, strings, out var firstReason);
        var second = UsageEventCodec.Deserialize(value, strings, out var secondReason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((firstReason, secondReason), Is.EqualTo(((string?)null, (string?)null)));
            Assert.That(first, Is.EqualTo(Full));
            Assert.That(second, Is.EqualTo(Full));
            Assert.That(second!.Account, Is.SameAs(first!.Account));
            Assert.That(second.Subject, Is.SameAs(first.Subject));
            Assert.That(second.Source, Is.SameAs(first.Source));
            Assert.That(second.Type, Is.SameAs(first.Type));
        }
    }

    [Test]
    public void Deserialize_WithStrings_ReadsEscapedValuesAndReportsBadOnesAsWithout()
    {
        var strings = new Utf8StringCache();
        const string Escaped = """{"id":"e","source":"s\u00e9","type":"t","time":"2026-11-01T11:00:00Z","account":"a\"b"}""";
        const string Unpaired = """{"id":"e","source":"s","type":"t","time":"2026-11-01T11:00:00Z","account":"a\ud800"}""";
        byte[] invalidUtf8 = [.. Encoding.UTF8.GetBytes("""{"id":"e","source":"s","type":"t","time":"2026-11-01T11:00:00Z","account":"a"""), 0xC3, (byte)'"', (byte)'}'];

        var escaped = UsageEventCodec.Deserialize(Encoding.UTF8.GetBytes(Escaped), strings, out _);
        UsageEventCodec.Deserialize(Encoding.UTF8.GetBytes(Unpaired), strings, out var unpairedReason);
        UsageEventCodec.Deserialize(invalidUtf8, strings, out var invalidReason);
        UsageEventCodec.Deserialize(invalidUtf8, out var invalidReasonWithout);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((escaped?.Source, escaped?.Account), Is.EqualTo(("sé", "a\"b")));
            Assert.That(unpairedReason, Does.StartWith("record: undecodable string"));
            Assert.That(invalidReason, Is.Not.Null.And.EqualTo(invalidReasonWithout));
        }
    }

    [Test]
    public void Serialize_Event_WritesStructuredCloudEvent()
    {
        using var document = JsonDocument.Parse(UsageEventCodec.Serialize(Full));
        var root = document.RootElement;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("specversion").GetString(), Is.EqualTo("1.0"));
            Assert.That(root.GetProperty("id").GetString(), Is.EqualTo("evt-1"));
            Assert.That(root.GetProperty("source").GetString(), Is.EqualTo("billing-api"));
            Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("flex.tokens"));
            Assert.That(root.GetProperty("time").GetString(), Is.EqualTo("2026-11-01T11:00:00Z"));
            Assert.That(root.GetProperty("subject").GetString(), Is.EqualTo("user-1"));
            Assert.That(root.GetProperty("account").GetString(), Is.EqualTo("acme"));
            Assert.That(root.GetProperty("ingestid").GetString(), Is.EqualTo("ingest-1"));
            Assert.That(root.GetProperty("ingesttime").GetString(), Is.EqualTo("2026-11-01T11:00:02Z"));
            Assert.That(root.GetProperty("data").GetProperty("tokens").GetInt32(), Is.EqualTo(12));
        }
    }

    [TestCase(0)]
    [TestCase(2_500_000)]
    [TestCase(1_234_567)]
    [TestCase(10_000_000 - 1)]
    public void Serialize_TextWithAndWithoutEscapes_WritesTimesAlike(long ticks)
    {
        var time = Time.AddTicks(ticks);
        var plain = Full with { Time = time, IngestedAt = time };
        var escaped = plain with { Subject = "Zoë \"quoted\"" };

        using var plainDocument = JsonDocument.Parse(UsageEventCodec.Serialize(plain));
        using var escapedDocument = JsonDocument.Parse(UsageEventCodec.Serialize(escaped));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plainDocument.RootElement.GetProperty("time").GetString(),
                Is.EqualTo(escapedDocument.RootElement.GetProperty("time").GetString()));
            Assert.That(plainDocument.RootElement.GetProperty("ingesttime").GetString(),
                Is.EqualTo(escapedDocument.RootElement.GetProperty("ingesttime").GetString()));
            Assert.That(plainDocument.RootElement.GetProperty("time").GetDateTimeOffset(), Is.EqualTo(time));
        }
    }

    [Test]
    public void Serialize_NoSubjectOrData_LeavesThemOut()
    {
        using var document = JsonDocument.Parse(UsageEventCodec.Serialize(Full with { Subject = null, Data = null }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(document.RootElement.TryGetProperty("subject", out _), Is.False);
            Assert.That(document.RootElement.TryGetProperty("data", out _), Is.False);
        }
    }

    [Test]
    public void Serialize_Output_IsReadByCloudEventReader()
    {
        var usageEvent = Full with { Time = new DateTimeOffset(2026, 11, 1, 13, 0, 0, 250, TimeSpan.FromHours(2)) };
        using var document = JsonDocument.Parse(UsageEventCodec.Serialize(usageEvent));

        var read = CloudEventReader.Read(document.RootElement, IngestedAt, new EventLimits(), "ingest-2", out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read, Is.EqualTo(usageEvent with { IngestId = "ingest-2" }));
        }
    }

    [Test]
    public void Deserialize_NoIngestStamp_UsesEmptyIdAndEventTime()
    {
        var decoded = Deserialize(
            """{"id":"e","source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00+01:00"}""", out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(decoded?.IngestId, Is.EqualTo(""));
            Assert.That(decoded?.Time, Is.EqualTo(new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero)));
            Assert.That(decoded?.Time.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(decoded?.IngestedAt, Is.EqualTo(decoded?.Time));
            Assert.That(decoded?.Subject, Is.Null);
            Assert.That(decoded?.Data, Is.Null);
        }
    }

    [TestCase("null")]
    [TestCase("\"x\"")]
    [TestCase("[1]")]
    [TestCase("7")]
    public void Deserialize_DataNotAnObject_GivesNoData(string raw)
    {
        var decoded = Deserialize(
            $$"""{"id":"e","source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00Z","data":{{raw}}}""", out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(decoded, Is.Not.Null);
            Assert.That(decoded?.Data, Is.Null);
        }
    }

    [TestCase("[]", "record: not a JSON object")]
    [TestCase("[{\"id\":\"e\"}]", "record: not a JSON object")]
    [TestCase("\"text\"", "record: not a JSON object")]
    [TestCase("42", "record: not a JSON object")]
    [TestCase("null", "record: not a JSON object")]
    [TestCase("{}", MissingField)]
    [TestCase("""{"source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00Z"}""", MissingField)]
    [TestCase("""{"id":"e","type":"t","account":"a","time":"2026-11-01T11:00:00Z"}""", MissingField)]
    [TestCase("""{"id":"e","source":"s","account":"a","time":"2026-11-01T11:00:00Z"}""", MissingField)]
    [TestCase("""{"id":"e","source":"s","type":"t","time":"2026-11-01T11:00:00Z"}""", MissingField)]
    [TestCase("""{"id":7,"source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00Z"}""", MissingField)]
    [TestCase("""{"id":"e","source":"s","type":"t","account":"a"}""", BadTime)]
    [TestCase("""{"id":"e","source":"s","type":"t","account":"a","time":"yesterday"}""", BadTime)]
    [TestCase("""{"id":"e","source":"s","type":"t","account":"a","time":"2026-13-01T00:00:00Z"}""", BadTime)]
    [TestCase("""{"id":"e","source":"s","type":"t","account":"a","time":""}""", BadTime)]
    public void Deserialize_UndecodableRecord_ReturnsNullWithReason(string json, string expected)
    {
        var decoded = Deserialize(json, out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(decoded, Is.Null);
            Assert.That(reason, Is.EqualTo(expected));
        }
    }

    [TestCase("")]
    [TestCase("not json")]
    [TestCase("{")]
    [TestCase("{\"id\":")]
    [TestCase("{\"id\":\"e\",}")]
    [TestCase("{'id':'e'}")]
    [TestCase("<event/>")]
    public void Deserialize_NotJson_ReturnsNullWithReason(string text)
    {
        var decoded = Deserialize(text, out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(decoded, Is.Null);
            Assert.That(reason, Does.StartWith("record: not valid JSON ("));
        }
    }

    [Test]
    public void Deserialize_NestingDeeperThan64_ReturnsNullWithReason()
    {
        var text = new string('[', 100) + new string(']', 100);

        var decoded = Deserialize(text, out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(decoded, Is.Null);
            Assert.That(reason, Does.StartWith("record: not valid JSON ("));
        }
    }

    [Test]
    public void SchemaVersion_IsOne()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(UsageEventCodec.SchemaVersion, Is.EqualTo("1"));
            Assert.That(UsageEventCodec.SchemaVersionHeader, Is.EqualTo("schema-version"));
        }
    }

    private static IEnumerable<TestCaseData> Events()
    {
        yield return new TestCaseData(Full).SetArgDisplayNames("full");
        yield return new TestCaseData(Full with { Subject = null }).SetArgDisplayNames("no subject");
        yield return new TestCaseData(Full with { Data = null }).SetArgDisplayNames("no data");
        yield return new TestCaseData(Full with { Subject = null, Data = null }).SetArgDisplayNames("neither");
        yield return new TestCaseData(Full with { Data = "{}" }).SetArgDisplayNames("empty data");
        yield return new TestCaseData(Full with { Data = "{ \"a\" : [1, 2.50, {\"b\": null}] }" }).SetArgDisplayNames("nested data");
        yield return new TestCaseData(Full with
        {
            Id = "évt-日本-😀",
            Source = "ソース",
            Type = "flex.tökens",
            Subject = "Zoë \"quoted\" \\ back",
            Account = "acmé</script>",
            Data = "{\"name\":\"日本😀\",\"escaped\":\"\\u00e9\\n\"}",
            IngestId = "ïngest",
        }).SetArgDisplayNames("unicode");
        yield return new TestCaseData(Full with
        {
            Id = "evt/1+2",
            Subject = "a<b>&'c'`d`",
            Account = "acme~{x}[y]",
        }).SetArgDisplayNames("printable punctuation");
        yield return new TestCaseData(Full with
        {
            Time = new DateTimeOffset(2026, 11, 1, 11, 0, 0, 123, TimeSpan.Zero),
            IngestedAt = new DateTimeOffset(2026, 11, 1, 11, 0, 2, 999, TimeSpan.Zero),
        }).SetArgDisplayNames("milliseconds");
        yield return new TestCaseData(Full with
        {
            Time = new DateTimeOffset(2026, 11, 1, 11, 0, 0, TimeSpan.Zero).AddTicks(1_234_567),
            IngestedAt = new DateTimeOffset(2026, 11, 1, 11, 0, 2, TimeSpan.Zero).AddTicks(1),
        }).SetArgDisplayNames("ticks");
        yield return new TestCaseData(Full with
        {
            Time = new DateTimeOffset(2026, 11, 1, 13, 0, 0, 5, TimeSpan.FromHours(2)),
            IngestedAt = new DateTimeOffset(2026, 11, 1, 6, 0, 2, TimeSpan.FromHours(-5)),
        }).SetArgDisplayNames("offsets");
    }

    private static UsageEvent? Deserialize(string text, out string? reason) =>
        UsageEventCodec.Deserialize(Encoding.UTF8.GetBytes(text), out reason);
}
