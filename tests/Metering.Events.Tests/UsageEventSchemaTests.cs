using System.Text.Json;
using System.Text.RegularExpressions;
using Metering.Testing;

namespace Metering.Events.Tests;

/// <summary>
/// <c>schemas/events/usage-event.v1.schema.json</c> and the gateway's reader agree on every sample: what
/// the schema accepts the gateway accepts, and what it rejects the gateway rejects. No JSON Schema
/// package is served here, so a structural check of the keywords the schema uses stands in for one.
/// </summary>
public sealed partial class UsageEventSchemaTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Valid = """{"specversion":"1.0","id":"e-1","source":"svc","type":"api.request","account":"acme","time":"2026-11-01T11:59:00Z"}""";

    private JsonDocument _schema = null!;

    [OneTimeSetUp]
    public void LoadSchema() =>
        _schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "schemas", "events", "usage-event.v1.schema.json")));

    [OneTimeTearDown]
    public void DisposeSchema() => _schema.Dispose();

    private static IEnumerable<TestCaseData> Samples()
    {
        TestCaseData Case(string json, string name) => new TestCaseData(json).SetArgDisplayNames(name);
        string With(string property) => Valid[..^1] + "," + property + "}";
        string Without(string name) =>
            JsonSerializer.Serialize(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Valid)!
                .Where(p => p.Key != name).ToDictionary(p => p.Key, p => p.Value));

        yield return Case(Valid, "minimal");
        yield return Case(With("\"subject\":\"u-1\""), "subject");
        yield return Case(With("\"subject\":null"), "subject null");
        yield return Case(With("\"data\":{\"tokens\":5}"), "data object");
        yield return Case(With("\"data\":null"), "data null");
        yield return Case(With("\"time\":\"2026-11-01T13:59:00+02:00\""), "offset time");
        foreach (var required in new[] { "specversion", "id", "source", "type", "account", "time" })
        {
            yield return Case(Without(required), $"no {required}");
        }

        yield return Case(With("\"specversion\":\"0.3\""), "specversion 0.3");
        yield return Case(With($"\"id\":\"{new string('x', 256)}\""), "id 256");
        yield return Case(With($"\"id\":\"{new string('x', 257)}\""), "id 257");
        yield return Case(With("\"id\":\"\""), "id empty");
        yield return Case(With("\"id\":7"), "id number");
        yield return Case(With("\"id\":\"a\\u0001b\""), "id control character");
        yield return Case(With("\"account\":{}"), "account object");
        yield return Case(With("\"subject\":\"\""), "subject empty");
        yield return Case(With("\"subject\":1"), "subject number");
        yield return Case(With("\"data\":[1]"), "data array");
        yield return Case(With("\"data\":\"text\""), "data string");
        yield return Case(With("\"time\":\"2026-11-01T11:59:00\""), "time without offset");
        yield return Case(With("\"time\":\"yesterday\""), "time text");
        yield return Case("[]", "array");
    }

    [TestCaseSource(nameof(Samples))]
    public void Schema_Sample_AgreesWithTheGateway(string json)
    {
        using var sample = JsonDocument.Parse(json);

        var schemaAccepts = Conforms(sample.RootElement, _schema.RootElement);
        var gatewayAccepts = CloudEventReader.Read(sample.RootElement, Now, new EventLimits(), "ingest-1", out var reason) is not null;

        Assert.That(schemaAccepts, Is.EqualTo(gatewayAccepts), $"gateway: {reason ?? "accepted"}");
    }

    private static bool Conforms(JsonElement value, JsonElement schema)
    {
        if (schema.TryGetProperty("const", out var constant) && value.GetRawText() != constant.GetRawText())
        {
            return false;
        }

        if (schema.TryGetProperty("type", out var type) && !HasType(value, type))
        {
            return false;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if ((schema.TryGetProperty("minLength", out var min) && text.Length < min.GetInt32())
                || (schema.TryGetProperty("maxLength", out var max) && text.Length > max.GetInt32())
                || (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!))
                || (schema.TryGetProperty("format", out var format) && format.GetString() == "date-time" && !DateTime().IsMatch(text)))
            {
                return false;
            }
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required)
                && required.EnumerateArray().Any(r => !value.TryGetProperty(r.GetString()!, out _)))
            {
                return false;
            }

            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    if (value.TryGetProperty(property.Name, out var child) && !Conforms(child, property.Value))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    private static bool HasType(JsonElement value, JsonElement type) =>
        type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Any(t => HasType(value, t))
            : type.GetString() switch
            {
                "object" => value.ValueKind == JsonValueKind.Object,
                "string" => value.ValueKind == JsonValueKind.String,
                "null" => value.ValueKind == JsonValueKind.Null,
                _ => false,
            };

    /// <summary>RFC 3339 date-time, as JSON Schema's <c>format: date-time</c> means it.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTime();
}
