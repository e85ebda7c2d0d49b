using Metering.Events.Meters;
using Metering.Testing;

namespace Metering.Events.Tests;

public class MeterCatalogTests
{
    private const string NameRule = "name must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter";
    private const string Tokens =
        """{"name": "tokens", "eventType": "flex.tokens", "aggregation": "SUM", "valueProperty": "$.tokens","""
        + """ "groupBy": {"model": "$.model"}, "unit": "{token}"}""";

    [Test]
    public void Parse_RepositoryMetersFile_Loads()
    {
        var path = Path.Combine(RepositoryPaths.Root, "schemas", "meters.json");

        var catalog = MeterCatalog.Parse(File.ReadAllText(path), path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                catalog.Meters.Select(m => m.Name),
                Is.EquivalentTo(Names("api_requests", "session_seconds", "tokens", "storage_gb")));
            var tokens = catalog.Find("tokens");
            Assert.That(tokens?.EventType, Is.EqualTo("flex.tokens"));
            Assert.That(tokens?.Aggregation, Is.EqualTo(Aggregation.Sum));
            Assert.That(tokens?.ValueProperty?.Text, Is.EqualTo("$.tokens"));
            Assert.That(tokens?.GroupBy.Keys, Is.EquivalentTo(Names("model")));
            Assert.That(tokens?.Unit, Is.EqualTo("{token}"));
            var requests = catalog.Find("api_requests");
            Assert.That(requests?.Aggregation, Is.EqualTo(Aggregation.Count));
            Assert.That(requests?.ValueProperty, Is.Null);
            Assert.That(requests?.GroupBy.Keys, Is.EquivalentTo(Names("method", "route")));
        }
    }

    [Test]
    public void Load_RepositoryMetersFile_MatchesParse()
    {
        var path = Path.Combine(RepositoryPaths.Root, "schemas", "meters.json");

        var catalog = MeterCatalog.Load(path);

        Assert.That(catalog.Meters, Has.Count.EqualTo(MeterCatalog.Parse(File.ReadAllText(path)).Meters.Count));
    }

    [TestCase("SUM", Aggregation.Sum)]
    [TestCase("COUNT", Aggregation.Count)]
    [TestCase("AVG", Aggregation.Avg)]
    [TestCase("MAX", Aggregation.Max)]
    [TestCase("MIN", Aggregation.Min)]
    [TestCase("LATEST", Aggregation.Latest)]
    [TestCase("UNIQUE_COUNT", Aggregation.UniqueCount)]
    public void Parse_AggregationName_IsRecognized(string name, Aggregation expected)
    {
        var catalog = Catalog($$"""{"name": "m", "eventType": "e", "aggregation": "{{name}}", "valueProperty": "$.v"}""");

        Assert.That(catalog.Find("m")?.Aggregation, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_CountWithoutValueProperty_IsAccepted()
    {
        var meter = Catalog("""{"name": "requests", "eventType": "api.request", "aggregation": "COUNT"}""").Find("requests");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(meter?.ValueProperty, Is.Null);
            Assert.That(meter?.GroupBy, Is.Empty);
            Assert.That(meter?.Unit, Is.EqualTo("1"));
        }
    }

    [Test]
    public void Parse_ValueAggregationWithoutValueProperty_IsRejected(
        [Values("SUM", "AVG", "MAX", "MIN", "LATEST", "UNIQUE_COUNT")] string aggregation)
    {
        AssertRejected(
            $$"""{"name": "m", "eventType": "e", "aggregation": "{{aggregation}}"}""",
            $"meters: meters[0] 'm': valueProperty is required for {aggregation}.");
    }

    [Test]
    public void Parse_DuplicateName_IsRejected()
    {
        AssertRejected(
            $$"""{{Tokens}}, {"name": "tokens", "eventType": "other", "aggregation": "COUNT"}""",
            "meters: meter name 'tokens' is defined twice.");
    }

    [TestCase("\"Tokens\"", "Tokens")]
    [TestCase("\"1tokens\"", "1tokens")]
    [TestCase("\"_tokens\"", "_tokens")]
    [TestCase("\"flex-tokens\"", "flex-tokens")]
    [TestCase("\"flex.tokens\"", "flex.tokens")]
    [TestCase("\"tokens total\"", "tokens total")]
    [TestCase("\"\"", "")]
    [TestCase("7", "nothing")]
    [TestCase(null, "nothing")]
    public void Parse_BadName_IsRejected(string? raw, string shown)
    {
        var name = raw is null ? "" : $"\"name\": {raw}, ";

        AssertRejected(
            $$"""{{{name}}"eventType": "e", "aggregation": "COUNT"}""",
            $"meters: meters[0]: {NameRule} (got {shown}).");
    }

    [Test]
    public void Parse_NameOf64Characters_IsAccepted()
    {
        var name = "m" + new string('x', 63);

        Assert.That(Catalog($$"""{"name": "{{name}}", "eventType": "e", "aggregation": "COUNT"}""").Find(name), Is.Not.Null);
    }

    [Test]
    public void Parse_NameOf65Characters_IsRejected()
    {
        var name = "m" + new string('x', 64);

        AssertRejected(
            $$"""{"name": "{{name}}", "eventType": "e", "aggregation": "COUNT"}""",
            $"meters: meters[0]: {NameRule} (got {name}).");
    }

    [TestCase("\"MEDIAN\"", "MEDIAN")]
    [TestCase("\"UNIQUE\"", "UNIQUE")]
    [TestCase("\"\"", "")]
    [TestCase("1", "nothing")]
    [TestCase(null, "nothing")]
    public void Parse_UnknownAggregation_IsRejected(string? raw, string shown)
    {
        var aggregation = raw is null ? "" : $", \"aggregation\": {raw}";

        AssertRejected(
            $$"""{"name": "m", "eventType": "e", "valueProperty": "$.v"{{aggregation}}}""",
            $"meters: meters[0] 'm': aggregation must be one of SUM, COUNT, AVG, MAX, MIN, LATEST, UNIQUE_COUNT (got {shown}).");
    }

    [TestCase("tokens", "must start with '$'")]
    [TestCase("$", "must name a member of data, e.g. $.tokens")]
    [TestCase("$..tokens", "empty member name at position 1")]
    [TestCase("$[0]", "unexpected '[' at position 1: only .name and [\"name\"] steps are supported")]
    public void Parse_BadValueProperty_IsRejected(string path, string error)
    {
        AssertRejected(
            $$"""{"name": "m", "eventType": "e", "aggregation": "SUM", "valueProperty": "{{path}}"}""",
            $"meters: meters[0] 'm': valueProperty {path}: {error}.");
    }

    [TestCase("\"model\"")]
    [TestCase("\"$\"")]
    [TestCase("\"$[0]\"")]
    [TestCase("7")]
    [TestCase("null")]
    [TestCase("{\"path\": \"$.model\"}")]
    public void Parse_BadGroupByPath_IsRejected(string raw)
    {
        AssertRejected(
            $$$"""{"name": "m", "eventType": "e", "aggregation": "COUNT", "groupBy": {"model": {{{raw}}}}}""",
            "meters: meters[0] 'm': groupBy 'model' must be a path into data such as $.model.");
    }

    [Test]
    public void Parse_ReservedGroupByName_IsRejected([Values("account", "team", "subject")] string name)
    {
        AssertRejected(
            $$$"""{"name": "m", "eventType": "e", "aggregation": "COUNT", "groupBy": {"{{{name}}}": "$.x"}}""",
            $"meters: meters[0] 'm': groupBy name '{name}' must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, and not account, team or subject.");
    }

    [TestCase("Model")]
    [TestCase("model-name")]
    [TestCase("")]
    public void Parse_BadGroupByName_IsRejected(string name)
    {
        AssertRejected(
            $$$"""{"name": "m", "eventType": "e", "aggregation": "COUNT", "groupBy": {"{{{name}}}": "$.x"}}""",
            $"meters: meters[0] 'm': groupBy name '{name}' must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, and not account, team or subject.");
    }

    [TestCase(null)]
    [TestCase("\"\"")]
    [TestCase("null")]
    [TestCase("3")]
    public void Parse_MissingEventType_IsRejected(string? raw)
    {
        var eventType = raw is null ? "" : $", \"eventType\": {raw}";

        AssertRejected(
            $$"""{"name": "m", "aggregation": "COUNT"{{eventType}}}""",
            "meters: meters[0] 'm': eventType is required.");
    }

    [TestCase("{}")]
    [TestCase("""{"meters": {}}""")]
    [TestCase("""{"meters": null}""")]
    [TestCase("""{"meter": []}""")]
    public void Parse_NoMetersArray_IsRejected(string json)
    {
        Assert.That(
            () => MeterCatalog.Parse(json, "m.json"),
            Throws.TypeOf<MeterCatalogException>().With.Message.EqualTo("m.json: expected an object with a \"meters\" array."));
    }

    [Test]
    public void Parse_EmptyMetersArray_GivesEmptyCatalog()
    {
        var catalog = MeterCatalog.Parse("""{"meters": []}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(catalog.Meters, Is.Empty);
            Assert.That(catalog.ForEventType("api.request"), Is.Empty);
        }
    }

    [Test]
    public void Parse_SeveralProblems_OneExceptionListsAll()
    {
        var json = $$$"""
            {"meters": [
              {{{Tokens}}},
              {"name": "Bad", "eventType": "e", "aggregation": "COUNT"},
              {"name": "avg_latency", "eventType": "e", "aggregation": "AVG"},
              {"name": "weird", "eventType": "e", "aggregation": "MEDIAN", "valueProperty": "$.v"},
              {"name": "no_type", "aggregation": "COUNT", "groupBy": {"team": "$.team", "route": "route"}},
              {"name": "tokens", "eventType": "flex.tokens", "aggregation": "SUM", "valueProperty": "tokens"},
              {"name": "tokens", "eventType": "flex.tokens", "aggregation": "COUNT"}
            ]}
            """;

        string[] expected =
        [
            $"bad.json: meters[1]: {NameRule} (got Bad).",
            "bad.json: meters[2] 'avg_latency': valueProperty is required for AVG.",
            "bad.json: meters[3] 'weird': aggregation must be one of SUM, COUNT, AVG, MAX, MIN, LATEST, UNIQUE_COUNT (got MEDIAN).",
            "bad.json: meters[4] 'no_type': eventType is required.",
            $"bad.json: meters[4] 'no_type': groupBy name 'team' must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, and not account, team or subject.",
            "bad.json: meters[4] 'no_type': groupBy 'route' must be a path into data such as $.model.",
            "bad.json: meters[5] 'tokens': valueProperty tokens: must start with '$'.",
            "bad.json: meter name 'tokens' is defined twice.",
        ];

        Assert.That(
            () => MeterCatalog.Parse(json, "bad.json"),
            Throws.TypeOf<MeterCatalogException>().With.Message.EqualTo(string.Join(Environment.NewLine, expected)));
    }

    [Test]
    public void Parse_GroupByPaths_AreParsed()
    {
        var meter = Catalog(
            """{"name": "m", "eventType": "e", "aggregation": "COUNT","""
            + """ "groupBy": {"model": "$.model", "region_name": "$[\"cloud region\"].name"}}""")
            .Find("m");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(meter?.GroupBy["model"].Text, Is.EqualTo("$.model"));
            Assert.That(meter?.GroupBy["region_name"].Text, Is.EqualTo("$[\"cloud region\"].name"));
        }
    }

    [Test]
    public void ForEventType_SeveralMeters_ReturnsAllOfThatTypeInFileOrder()
    {
        var catalog = Catalog(
            Tokens,
            """{"name": "requests", "eventType": "api.request", "aggregation": "COUNT"}""",
            """{"name": "token_events", "eventType": "flex.tokens", "aggregation": "COUNT"}""",
            """{"name": "max_tokens", "eventType": "flex.tokens", "aggregation": "MAX", "valueProperty": "$.tokens"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(catalog.ForEventType("flex.tokens").Select(m => m.Name), Is.EqualTo(Names("tokens", "token_events", "max_tokens")));
            Assert.That(catalog.ForEventType("api.request").Select(m => m.Name), Is.EqualTo(Names("requests")));
            Assert.That(catalog.ForEventType("FLEX.TOKENS"), Is.Empty);
            Assert.That(catalog.ForEventType("unknown"), Is.Empty);
        }
    }

    [Test]
    public void Find_ByName_ReturnsMeterOrNull()
    {
        var catalog = Catalog(Tokens, """{"name": "requests", "eventType": "api.request", "aggregation": "COUNT"}""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(catalog.Find("tokens")?.EventType, Is.EqualTo("flex.tokens"));
            Assert.That(catalog.Find("requests")?.EventType, Is.EqualTo("api.request"));
            Assert.That(catalog.Find("Tokens"), Is.Null);
            Assert.That(catalog.Find("unknown"), Is.Null);
        }
    }

    [Test]
    public void ReservedDimensions_AreAccountTeamSubject()
    {
        Assert.That(MeterCatalog.ReservedDimensions, Is.EquivalentTo(Names("account", "team", "subject")));
    }

    private static string[] Names(params string[] names) => names;

    private static MeterCatalog Catalog(params string[] meters) =>
        MeterCatalog.Parse($$"""{"meters": [{{string.Join(",", meters)}}]}""");

    private static void AssertRejected(string meters, string expected)
    {
        Assert.That(
            () => MeterCatalog.Parse($$"""{"meters": [{{meters}}]}"""),
            Throws.TypeOf<MeterCatalogException>().With.Message.EqualTo(expected));
    }
}
