using System.Text;
using System.Text.Json;
using Metering.Events.Meters;

namespace Metering.Events.Tests;

/// <summary>Inputs that once threw where a rejection with a reason was due.</summary>
public sealed class RegressionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [TestCase("""{"specversion":"1.0","id":"a\uD800b","source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00Z"}""", "id")]
    [TestCase("""{"specversion":"1.0","id":"e","source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00Z","subject":"\uDC00"}""", "subject")]
    public void Read_EscapedUnpairedSurrogate_IsRejectedNotThrown(string json, string attribute)
    {
        using var document = JsonDocument.Parse(json);

        var read = CloudEventReader.Read(document.RootElement, Now, new EventLimits(), "ingest-1", out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.Null);
            Assert.That(reason, Is.EqualTo($"{attribute}: contains a control character or an unpaired surrogate"));
        }
    }

    [TestCase("""{"specversion":"1.0","id":"e","source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00Z","\uD800":1}""")]
    [TestCase("""{"\uDC00x":"y","specversion":"1.0","id":"e","source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00Z"}""")]
    public void Read_PropertyNameWithAnEscapedUnpairedSurrogate_IsIgnoredNotThrown(string json)
    {
        using var document = JsonDocument.Parse(json);

        var read = CloudEventReader.Read(document.RootElement, Now, new EventLimits(), "ingest-1", out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.Null);
            Assert.That(read?.Id, Is.EqualTo("e"));
            Assert.That(CloudEventReader.TryGetId(document.RootElement), Is.EqualTo("e"));
        }
    }

    [Test]
    public void TryGetId_EscapedUnpairedSurrogate_IsNull()
    {
        using var document = JsonDocument.Parse("""{"id":"\uD800"}""");

        Assert.That(CloudEventReader.TryGetId(document.RootElement), Is.Null);
    }

    [TestCase("""{"id":"e","source":"s","type":"t","account":"a","time":1793530800}""")]
    [TestCase("""{"id":"e","source":"s","type":"t","account":"a","time":{}}""")]
    [TestCase("""{"id":"e","source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00"}""")]
    [TestCase("""{"id":"e\uD800","source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00Z"}""")]
    [TestCase("""{"id":"e","source":"s","type":"t","account":"a","time":"2026-11-01T11:00:00Z"} trailing""")]
    public void Deserialize_MalformedRecord_IsNullWithReason(string json)
    {
        var read = UsageEventCodec.Deserialize(Encoding.UTF8.GetBytes(json), out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.Null);
            Assert.That(reason, Does.StartWith("record: "));
        }
    }

    [Test]
    public void Deserialize_InvalidUtf8InAString_IsNullWithReason()
    {
        byte[] value = [.. "{\"id\":\""u8, 0xFF, 0xFE, .. "\"}"u8];

        var read = UsageEventCodec.Deserialize(value, out var reason);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.Null);
            Assert.That(reason, Does.StartWith("record: "));
        }
    }

    [TestCase("[]")]
    [TestCase("""{"meters":[1]}""")]
    public void Parse_WrongShape_ThrowsMeterCatalogException(string json) =>
        Assert.That(() => MeterCatalog.Parse(json), Throws.TypeOf<MeterCatalogException>());

    [TestCase("""{"meters":[{"name":"tokens\n","eventType":"e","aggregation":"COUNT"}]}""")]
    [TestCase("""{"meters":[{"name":"tokens","eventType":"e","aggregation":"COUNT","groupBy":{"model\n":"$.m"}}]}""")]
    public void Parse_NameEndingInNewline_IsRejected(string json) =>
        Assert.That(() => MeterCatalog.Parse(json), Throws.TypeOf<MeterCatalogException>());
}
