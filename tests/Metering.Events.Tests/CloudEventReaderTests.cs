using System.Text;
using System.Text.Json;

namespace Metering.Events.Tests;

public class CloudEventReaderTests
{
    private const string IngestId = "ingest-1";
    private const string NotRfc3339 = "time: not an RFC 3339 timestamp (e.g. 2026-11-01T12:00:00Z)";
    private const string ControlCharacter = "contains a control character or an unpaired surrogate";

    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly (string Name, string Raw)[] Defaults =
    [
        ("specversion", "\"1.0\""),
        ("id", "\"evt-1\""),
        ("source", "\"billing-api\""),
        ("type", "\"api.request\""),
        ("account", "\"acme\""),
        ("time", "\"2026-11-01T11:00:00Z\""),
        ("subject", "\"user-1\""),
        ("data", "{\"tokens\": 5, \"model\": \"m1\"}"),
    ];

    [Test]
    public void Read_ValidEvent_ReturnsEveryAttribute()
    {
        var read = Read(Event(), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read, Is.EqualTo(new UsageEvent(
                "evt-1", "billing-api", "api.request", new DateTimeOffset(2026, 11, 1, 11, 0, 0, TimeSpan.Zero), "user-1",
                "acme", "{\"tokens\": 5, \"model\": \"m1\"}", IngestId, Now)));
        }
    }

    [TestCase("[]", "an array")]
    [TestCase("\"evt\"", "a string")]
    [TestCase("42", "a number")]
    [TestCase("true", "a boolean")]
    [TestCase("null", "null")]
    public void Read_ElementNotAnObject_IsRejected(string json, string kind)
    {
        var read = Read(json, out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.Null);
            Assert.That(reason, Is.EqualTo($"event: must be a JSON object, not {kind}"));
        }
    }

    [TestCase(null, "specversion: required")]
    [TestCase("null", "specversion: required")]
    [TestCase("\"0.3\"", "specversion: must be \"1.0\"")]
    [TestCase("\"1\"", "specversion: must be \"1.0\"")]
    [TestCase("\"1.0 \"", "specversion: must be \"1.0\"")]
    [TestCase("1.0", "specversion: must be a string, not a number")]
    public void Read_SpecVersionMissingOrNotOnePointZero_IsRejected(string? raw, string expected)
    {
        AssertRejected(Event(("specversion", raw)), expected);
    }

    [Test]
    public void Read_RequiredAttributeMissing_IsRejected(
        [Values("id", "source", "type", "account", "time")] string name,
        [Values] bool asJsonNull)
    {
        AssertRejected(Event((name, asJsonNull ? "null" : null)), $"{name}: required");
    }

    [Test]
    public void Read_AttributeNotAString_IsRejected(
        [Values("specversion", "id", "source", "type", "account", "time", "subject")] string name,
        [Values("7", "1.5", "{}", "{\"a\":\"b\"}", "[]", "[\"x\"]", "true", "false")] string raw)
    {
        var kind = raw[0] switch
        {
            '{' => "an object",
            '[' => "an array",
            't' or 'f' => "a boolean",
            _ => "a number",
        };

        AssertRejected(Event((name, raw)), $"{name}: must be a string, not {kind}");
    }

    [Test]
    public void Read_EmptyString_IsRejected(
        [Values("specversion", "id", "source", "type", "account", "time", "subject")] string name)
    {
        AssertRejected(Event((name, "\"\"")), $"{name}: must not be empty");
    }

    [Test]
    public void Read_AttributeOfMaximumLength_IsAccepted(
        [Values("id", "source", "type", "account", "subject")] string name)
    {
        var value = new string('a', EventLimits.MaxAttributeLength);

        var read = Read(Event((name, Quote(value))), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read, Is.Not.Null);
        }
    }

    [Test]
    public void Read_AttributeLongerThanMaximum_IsRejected(
        [Values("id", "source", "type", "account", "subject")] string name)
    {
        var value = new string('a', EventLimits.MaxAttributeLength + 1);

        AssertRejected(Event((name, Quote(value))), $"{name}: longer than 256 characters");
    }

    [Test]
    public void Read_ControlCharacter_IsRejected(
        [Values("id", "source", "type", "account", "subject")] string name,
        [Values("\\u0000", "\\n", "\\t", "\\u001f", "\\u007f", "\\u0085")] string escape)
    {
        AssertRejected(Event((name, $"\"a{escape}b\"")), $"{name}: {ControlCharacter}");
    }

    [Test]
    public void Read_SurrogatePair_IsAccepted(
        [Values("id", "source", "subject")] string name,
        [Values("\"a\\uD83D\\uDE00b\"", "\"a😀b\"")] string raw)
    {
        var read = Read(Event((name, raw)), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read, Is.Not.Null);
            var value = name switch
            {
                "id" => read?.Id,
                "source" => read?.Source,
                _ => read?.Subject,
            };
            Assert.That(value, Is.EqualTo("a😀b"));
        }
    }

    [Test]
    public void Read_NonAsciiText_IsKeptAsIs()
    {
        var read = Read(Event(("subject", "\"Zoë 日本\""), ("account", "\"acmé\"")), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read?.Subject, Is.EqualTo("Zoë 日本"));
            Assert.That(read?.Account, Is.EqualTo("acmé"));
        }
    }

    [TestCase(null)]
    [TestCase("null")]
    public void Read_SubjectAbsentOrNull_IsAcceptedWithoutSubject(string? raw)
    {
        var read = Read(Event(("subject", raw)), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read, Is.Not.Null);
            Assert.That(read?.Subject, Is.Null);
        }
    }

    [TestCase("2026-11-01T11:00:00")]
    [TestCase("2026-11-01T11:00:00.000")]
    [TestCase("2026-11-01T11:00:00.000000")]
    [TestCase("2026-11-01")]
    [TestCase("2026-11-01Z")]
    [TestCase("yesterday")]
    [TestCase("2026-13-01T00:00:00Z")]
    [TestCase("2026-02-30T00:00:00Z")]
    [TestCase("2026-11-01T25:00:00Z")]
    [TestCase("2026-11-01T11:00:00+0200")]
    [TestCase("2026-11-01T11:00:00 GMT")]
    [TestCase("11/01/2026 11:00:00Z")]
    [TestCase("1793530800")]
    public void Read_TimeNotRfc3339_IsRejected(string time)
    {
        AssertRejected(Event(("time", Quote(time))), NotRfc3339);
    }

    [TestCase("2026-11-01T13:00:00+02:00")]
    [TestCase("2026-11-01T06:00:00-05:00")]
    [TestCase("2026-11-01T11:00:00+00:00")]
    [TestCase("2026-11-01T11:00:00Z")]
    [TestCase("2026-11-01t11:00:00z")]
    public void Read_TimeWithOffset_IsNormalizedToUtc(string time)
    {
        var read = Read(Event(("time", Quote(time))), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read?.Time, Is.EqualTo(new DateTimeOffset(2026, 11, 1, 11, 0, 0, TimeSpan.Zero)));
            Assert.That(read?.Time.Offset, Is.EqualTo(TimeSpan.Zero));
        }
    }

    [Test]
    public void Read_TimeWithFraction_KeepsMilliseconds()
    {
        var read = Read(Event(("time", "\"2026-11-01T11:00:00.123+01:00\"")), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read?.Time, Is.EqualTo(new DateTimeOffset(2026, 11, 1, 10, 0, 0, 123, TimeSpan.Zero)));
        }
    }

    [TestCase("2026-11-01T11:00:00Z")]
    [TestCase("2026-11-01T11:00:00.5Z")]
    [TestCase("2026-11-01T11:00:00.05Z")]
    [TestCase("2026-11-01T11:00:00.1234567Z")]
    [TestCase("2026-11-01T11:00:00.12345678Z")]
    [TestCase("2026-11-01T11:00:00.Z")]
    [TestCase("2026-10-31T23:59:59.9999999Z")]
    [TestCase("2028-02-29T00:00:00Z")]
    [TestCase("2026-02-29T00:00:00Z")]
    [TestCase("2026-11-31T00:00:00Z")]
    [TestCase("2026-11-01T24:00:00Z")]
    [TestCase("2026-11-01T23:60:00Z")]
    [TestCase("2026-11-01T23:59:60Z")]
    [TestCase("0000-11-01T11:00:00Z")]
    [TestCase("2026-11-01T1a:00:00Z")]
    [TestCase("2026-11-01T11:00:00.1a3Z")]
    public void Read_TimeInUtc_ReadsAsTryParseRfc3339Does(string time)
    {
        var limits = new EventLimits { MaxAge = TimeSpan.FromDays(365 * 2000), MaxFutureSkew = TimeSpan.FromDays(365 * 2000) };

        var read = Read(Event(("time", Quote(time))), out var reason, limits);

        var valid = CloudEventReader.TryParseRfc3339(time, out var expected);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, valid ? Is.Null : Is.EqualTo(NotRfc3339));
            Assert.That(read?.Time, valid ? Is.EqualTo(expected) : Is.Null);
            Assert.That(read?.Time.Offset, valid ? Is.EqualTo(TimeSpan.Zero) : Is.Null);
        }
    }

    [Test]
    public void Read_TimeExactlyAtMaximumFutureSkew_IsAccepted()
    {
        var read = Read(Event(("time", "\"2026-11-01T12:05:00Z\"")), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read?.Time, Is.EqualTo(Now.AddMinutes(5)));
        }
    }

    [TestCase("2026-11-01T12:05:00.001Z")]
    [TestCase("2026-11-01T14:05:00.001+02:00")]
    [TestCase("2027-11-01T12:00:00Z")]
    public void Read_TimeBeyondMaximumFutureSkew_IsRejected(string time)
    {
        AssertRejected(Event(("time", Quote(time))), "time: more than 5 minutes in the future");
    }

    [Test]
    public void Read_TimeExactlyAtMaximumAge_IsAccepted()
    {
        var read = Read(Event(("time", "\"2026-09-27T12:00:00Z\"")), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read?.Time, Is.EqualTo(Now - new EventLimits().MaxAge));
        }
    }

    [TestCase("2026-09-27T11:59:59.999Z")]
    [TestCase("2025-11-01T12:00:00Z")]
    public void Read_TimeOlderThanMaximumAge_IsRejected(string time)
    {
        AssertRejected(Event(("time", Quote(time))), "time: older than the retention of open windows (35 days)");
    }

    [Test]
    public void Read_ConfiguredLimits_AreApplied()
    {
        var limits = new EventLimits { MaxFutureSkew = TimeSpan.FromMinutes(1), MaxAge = TimeSpan.FromHours(36) };

        var future = Read(Event(("time", "\"2026-11-01T12:01:00.001Z\"")), out var futureReason, limits);
        var old = Read(Event(("time", "\"2026-10-30T23:59:59Z\"")), out var oldReason, limits);
        var withinBoth = Read(Event(("time", "\"2026-10-31T00:00:00Z\"")), out var withinReason, limits);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(future, Is.Null);
            Assert.That(futureReason, Is.EqualTo("time: more than 1 minute in the future"));
            Assert.That(old, Is.Null);
            Assert.That(oldReason, Is.EqualTo("time: older than the retention of open windows (1.5 days)"));
            Assert.That(withinBoth, Is.Not.Null);
            Assert.That(withinReason, Is.Null);
        }
    }

    [TestCase("{}", "{}")]
    [TestCase("{\"tokens\":12,\"nested\":{\"a\":[1,2]}}", "{\"tokens\":12,\"nested\":{\"a\":[1,2]}}")]
    [TestCase("{ \"name\" : \"日本\" }", "{ \"name\" : \"日本\" }")]
    public void Read_DataObject_KeepsRawJson(string raw, string expected)
    {
        var read = Read(Event(("data", raw)), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read?.Data, Is.EqualTo(expected));
        }
    }

    [TestCase(null)]
    [TestCase("null")]
    public void Read_DataAbsentOrNull_IsAcceptedWithoutData(string? raw)
    {
        var read = Read(Event(("data", raw)), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read, Is.Not.Null);
            Assert.That(read?.Data, Is.Null);
        }
    }

    [TestCase("\"tokens=5\"", "a string")]
    [TestCase("[{\"tokens\":5}]", "an array")]
    [TestCase("5", "a number")]
    [TestCase("true", "a boolean")]
    public void Read_DataNotAnObject_IsRejected(string raw, string kind)
    {
        AssertRejected(Event(("data", raw)), $"data: must be a JSON object or null, not {kind}");
    }

    [Test]
    public void Read_UnknownExtensionAttributes_AreIgnored()
    {
        var read = Read(Event(("team", "\"platform\""), ("datacontenttype", "\"application/json\"")), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read, Is.Not.Null);
        }
    }

    [Test]
    public void Read_SeveralProblems_ReportsTheFirstInAttributeOrder()
    {
        AssertRejected(Event(("source", null), ("account", "7"), ("data", "5")), "source: required");
    }

    [TestCaseSource(nameof(RejectedEvents))]
    public void Read_AnyRejection_ReasonStartsWithAttributeName(string attribute, string json)
    {
        var read = Read(json, out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.Null);
            Assert.That(reason, Does.StartWith(attribute + ": "));
        }
    }

    [Test]
    public void Read_NullLimits_Throws()
    {
        using var document = JsonDocument.Parse(Event());

        Assert.That(
            () => CloudEventReader.Read(document.RootElement, Now, null!, IngestId, out _),
            Throws.ArgumentNullException);
    }

    [TestCase("{\"id\":\"evt-1\"}", "evt-1")]
    [TestCase("{\"id\":\"\"}", "")]
    [TestCase("{\"id\":7}", null)]
    [TestCase("{\"id\":null}", null)]
    [TestCase("{\"other\":\"evt-1\"}", null)]
    [TestCase("[{\"id\":\"evt-1\"}]", null)]
    [TestCase("\"evt-1\"", null)]
    public void TryGetId_Element_ReturnsStringIdOrNull(string json, string? expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.That(CloudEventReader.TryGetId(document.RootElement), Is.EqualTo(expected));
    }

    [TestCase(64, false)]
    [TestCase(65, true)]
    [TestCase(1000, true)]
    public void TryGetId_LongId_IsTruncatedTo64Characters(int length, bool truncated)
    {
        var id = new string('x', length);
        using var document = JsonDocument.Parse($"{{\"id\":\"{id}\"}}");

        var expected = truncated ? new string('x', 64) + "…" : id;
        Assert.That(CloudEventReader.TryGetId(document.RootElement), Is.EqualTo(expected));
    }

    [TestCase("2026-11-01T11:00:00Z", "2026-11-01T11:00:00.0000000+00:00")]
    [TestCase("2026-11-01T11:00:00z", "2026-11-01T11:00:00.0000000+00:00")]
    [TestCase("2026-11-01t11:00:00Z", "2026-11-01T11:00:00.0000000+00:00")]
    [TestCase("2026-11-01T13:30:00+02:30", "2026-11-01T11:00:00.0000000+00:00")]
    [TestCase("2026-10-31T23:00:00-12:00", "2026-11-01T11:00:00.0000000+00:00")]
    [TestCase("2026-11-01T11:00:00.5Z", "2026-11-01T11:00:00.5000000+00:00")]
    [TestCase("2026-11-01T11:00:00.1234567Z", "2026-11-01T11:00:00.1234567+00:00")]
    [TestCase("2026-11-01T11:00:00.123+01:00", "2026-11-01T10:00:00.1230000+00:00")]
    [TestCase("2028-02-29T00:00:00Z", "2028-02-29T00:00:00.0000000+00:00")]
    public void TryParseRfc3339_ValidTimestamp_ReturnsUtcInstant(string text, string expected)
    {
        var ok = CloudEventReader.TryParseRfc3339(text, out var time);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.True);
            Assert.That(time.ToString("o", System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(expected));
        }
    }

    [TestCase("")]
    [TestCase("2026-11-01T11:00:00")]
    [TestCase("2026-11-01")]
    [TestCase("yesterday")]
    [TestCase("2026-13-01T00:00:00Z")]
    [TestCase("2027-02-29T00:00:00Z")]
    [TestCase("2026-11-01T11:60:00Z")]
    [TestCase("2026-11-01T11:00:00+02")]
    [TestCase("2026-11-01T11:00:00+0200")]
    [TestCase("2026-11-01 11:00:00")]
    [TestCase("20261101T110000Z")]
    [TestCase("Sun, 01 Nov 2026 11:00:00 GMT")]
    public void TryParseRfc3339_NotRfc3339_ReturnsFalse(string text)
    {
        var ok = CloudEventReader.TryParseRfc3339(text, out var time);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(time, Is.EqualTo(default(DateTimeOffset)));
        }
    }

    [Test]
    public void TryParseRfc3339_Null_Throws()
    {
        Assert.That(() => CloudEventReader.TryParseRfc3339(null!, out _), Throws.ArgumentNullException);
    }

    private static IEnumerable<TestCaseData> RejectedEvents()
    {
        foreach (var (name, _) in Defaults)
        {
            foreach (var raw in new[] { "[]", "{}", "0", "false", "\"\"", Quote(new string('x', 300)), "\"\\u0001\"" })
            {
                if (name != "data" || raw[0] != '{')
                {
                    yield return new TestCaseData(name, Event((name, raw))).SetArgDisplayNames(name, raw.Length > 20 ? raw[..20] : raw);
                }
            }
        }

        yield return new TestCaseData("time", Event(("time", "\"2026-11-01T13:00:00Z\""))).SetArgDisplayNames("time", "future");
        yield return new TestCaseData("time", Event(("time", "\"2025-11-01T13:00:00Z\""))).SetArgDisplayNames("time", "old");
        yield return new TestCaseData("event", "[]").SetArgDisplayNames("event", "[]");
    }

    [Test]
    public void ReadValue_EventsOfAnArray_AreReadInPlaceAndTheReaderLeftOnEachLastToken()
    {
        var tooLarge = Event(("data", "{\"blob\":" + Quote(new string('x', EventLimits.MaxEventBytes)) + "}"));
        var body = Encoding.UTF8.GetBytes("[" + Event() + ", [1, {\"id\": \"x\"}], " + Event(("id", "\"evt-2\"")) + "," + tooLarge + "]");
        var reader = new Utf8JsonReader(body);
        reader.Read();
        var results = new List<(bool Valid, string? Id, string? Reason)>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var valid = CloudEventReader.TryReadValue(body, ref reader, Now, new EventLimits(), out var cloudEvent, out var reason, out _);
            results.Add((valid, valid ? Encoding.UTF8.GetString(cloudEvent.Id) : null, reason));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results, Is.EqualTo(new[]
            {
                (true, (string?)"evt-1", (string?)null),
                (false, null, "event: must be a JSON object, not an array"),
                (true, "evt-2", null),
                (false, null, $"event: larger than {EventLimits.MaxEventBytes} bytes"),
            }));
            Assert.That(reader.TokenType, Is.EqualTo(JsonTokenType.EndArray));
            Assert.That(reader.Read(), Is.False);
        }
    }

    /// <summary>The default event as JSON text; an override with a null raw value removes the attribute.</summary>
    private static string Event(params (string Name, string? Raw)[] overrides)
    {
        var members = Defaults.Select(d => (d.Name, Raw: (string?)d.Raw)).ToList();
        foreach (var (name, raw) in overrides)
        {
            var index = members.FindIndex(m => m.Name == name);
            if (index >= 0)
            {
                members[index] = (name, raw);
            }
            else
            {
                members.Add((name, raw));
            }
        }

        return "{" + string.Join(",", members.Where(m => m.Raw is not null).Select(m => $"\"{m.Name}\":{m.Raw}")) + "}";
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    private static UsageEvent? Read(string json, out string? reason, EventLimits? limits = null)
    {
        using var document = JsonDocument.Parse(json);
        return CloudEventReader.Read(document.RootElement, Now, limits ?? new EventLimits(), IngestId, out reason);
    }

    private static void AssertRejected(string json, string expected)
    {
        var read = Read(json, out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.Null);
            Assert.That(reason, Is.EqualTo(expected));
        }
    }
}
