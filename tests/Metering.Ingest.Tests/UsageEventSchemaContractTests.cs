using System.Text.Json;
using Metering.Events;
using Metering.Testing;

namespace Metering.Ingest.Tests;

/// <summary>
/// The events these tests send, valid and invalid, against <c>schemas/events/usage-event.v1.schema.json</c>.
/// No JSON Schema package is served here: a small structural check of the keywords the schema uses
/// (required, type, const, minLength, maxLength, format date-time) stands in for a validator.
/// </summary>
public sealed class UsageEventSchemaContractTests
{
    private const string Valid = """{"specversion":"1.0","id":"e-1","source":"tests","type":"api.request","account":"acme","subject":"u-1","time":"2026-11-01T12:00:00.000Z"}""";
    private static readonly string[] ExpectedRequired = ["specversion", "id", "source", "type", "time", "account"];
    private JsonDocument _schema = null!;

    [OneTimeSetUp]
    public void LoadSchema() =>
        _schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "schemas", "events", "usage-event.v1.schema.json")));

    [OneTimeTearDown]
    public void DisposeSchema() => _schema.Dispose();

    [Test]
    public void Schema_Header_IsDraft202012WithTheRequiredAttributesOfDesign4()
    {
        var root = _schema.RootElement;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("$schema").GetString(), Is.EqualTo("https://json-schema.org/draft/2020-12/schema"));
            Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("object"));
            Assert.That(root.GetProperty("required").EnumerateArray().Select(r => r.GetString()), Is.EquivalentTo(ExpectedRequired));
            Assert.That(root.GetProperty("properties").GetProperty("time").GetProperty("format").GetString(), Is.EqualTo("date-time"));
            foreach (var name in new[] { "id", "source", "type", "account" })
            {
                Assert.That(root.GetProperty("properties").GetProperty(name).GetProperty("maxLength").GetInt32(), Is.EqualTo(EventLimits.MaxAttributeLength), name);
            }
        }
    }

    private static string With(string property) => Valid[..^1] + "," + property + "}";

    private static string Without(string name) =>
        JsonSerializer.Serialize(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Valid)!.Where(p => p.Key != name).ToDictionary());

    private static IEnumerable<TestCaseData> ValidSamples()
    {
        yield return new TestCaseData(Valid).SetArgDisplayNames("test event");
        yield return new TestCaseData(With("\"data\":{\"tokens\":12}")).SetArgDisplayNames("data object");
        yield return new TestCaseData(With("\"data\":null")).SetArgDisplayNames("data null");
        yield return new TestCaseData(Without("subject")).SetArgDisplayNames("no subject");
        yield return new TestCaseData(With($"\"id\":\"{new string('x', 256)}\"")).SetArgDisplayNames("id 256");
        yield return new TestCaseData(With("\"time\":\"2026-11-01T14:00:00+02:00\"")).SetArgDisplayNames("offset time");
    }

    private static IEnumerable<TestCaseData> InvalidSamples()
    {
        foreach (var required in ExpectedRequired)
        {
            yield return new TestCaseData(Without(required)).SetArgDisplayNames($"no {required}");
        }

        yield return new TestCaseData(With("\"specversion\":\"0.3\"")).SetArgDisplayNames("specversion 0.3");
        yield return new TestCaseData(With("\"specversion\":1.0")).SetArgDisplayNames("specversion number");
        yield return new TestCaseData(With($"\"id\":\"{new string('x', 257)}\"")).SetArgDisplayNames("id 257");
        yield return new TestCaseData(With($"\"account\":\"{new string('x', 257)}\"")).SetArgDisplayNames("account 257");
        yield return new TestCaseData(With("\"id\":\"\"")).SetArgDisplayNames("id empty");
        yield return new TestCaseData(With("\"source\":true")).SetArgDisplayNames("source boolean");
        yield return new TestCaseData(With("\"type\":[]")).SetArgDisplayNames("type array");
        yield return new TestCaseData(With("\"account\":7")).SetArgDisplayNames("account number");
        yield return new TestCaseData(With("\"subject\":1")).SetArgDisplayNames("subject number");
        yield return new TestCaseData(With("\"data\":[1,2]")).SetArgDisplayNames("data array");
        yield return new TestCaseData(With("\"data\":\"text\"")).SetArgDisplayNames("data string");
        yield return new TestCaseData(With("\"time\":\"yesterday\"")).SetArgDisplayNames("time text");
        yield return new TestCaseData(With("\"time\":\"2026-11-01T12:00:00\"")).SetArgDisplayNames("time without offset");
        yield return new TestCaseData("5").SetArgDisplayNames("number");
    }

    [TestCaseSource(nameof(ValidSamples))]
    public void Check_ValidSample_HasNoViolation(string sample)
    {
        using var document = JsonDocument.Parse(sample);

        Assert.That(Violations(_schema.RootElement, document.RootElement), Is.Empty);
    }

    [TestCaseSource(nameof(InvalidSamples))]
    public void Check_InvalidSample_HasAViolation(string sample)
    {
        using var document = JsonDocument.Parse(sample);

        Assert.That(Violations(_schema.RootElement, document.RootElement), Is.Not.Empty);
    }

    /// <summary>What <paramref name="instance"/> breaks of <paramref name="schema"/>, for the keywords the event schema uses.</summary>
    private static List<string> Violations(JsonElement schema, JsonElement instance, string path = "$")
    {
        var violations = new List<string>();
        if (schema.TryGetProperty("type", out var type))
        {
            var allowed = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            if (!allowed.Contains(TypeName(instance)))
            {
                violations.Add($"{path}: is {TypeName(instance)}, not {string.Join(" or ", allowed)}");
                return violations;
            }
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, instance))
        {
            violations.Add($"{path}: must be {constant.GetRawText()}");
        }

        if (instance.ValueKind == JsonValueKind.String)
        {
            var text = instance.GetString()!;
            if (schema.TryGetProperty("minLength", out var min) && text.Length < min.GetInt32())
            {
                violations.Add($"{path}: shorter than {min.GetInt32()}");
            }

            if (schema.TryGetProperty("maxLength", out var max) && text.Length > max.GetInt32())
            {
                violations.Add($"{path}: longer than {max.GetInt32()}");
            }

            if (schema.TryGetProperty("format", out var format) && format.GetString() == "date-time" && !CloudEventReader.TryParseRfc3339(text, out _))
            {
                violations.Add($"{path}: not a date-time");
            }
        }

        if (instance.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required))
            {
                violations.AddRange(required.EnumerateArray().Select(r => r.GetString()!)
                    .Where(r => !instance.TryGetProperty(r, out _)).Select(r => $"{path}.{r}: required"));
            }

            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    if (instance.TryGetProperty(property.Name, out var value))
                    {
                        violations.AddRange(Violations(property.Value, value, $"{path}.{property.Name}"));
                    }
                }
            }
        }

        return violations;
    }

    private static string TypeName(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => element.TryGetInt64(out _) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
