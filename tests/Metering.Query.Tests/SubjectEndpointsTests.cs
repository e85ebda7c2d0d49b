using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CsvHelper;
using Metering.ClickHouse;
using Metering.Events;
using Metering.Query.Accounts;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// <c>GET /v1/accounts/{account}/subjects</c> over data the real aggregator wrote: one world, its assignments written
/// before the events (attribution reads them at start), every event ingested once; each test reads its own accounts.
/// The lateness and the dedupe horizon are at their ceiling so that no event of the month is late.
/// </summary>
[Integration]
public sealed class SubjectEndpointsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset From = At("2026-10-31T00:00:00Z");
    private static readonly DateTimeOffset To = At("2026-11-02T00:00:00Z");
    private static readonly string[] Everyone = ["alice", "bob", "carol", "frank", "gina"];

    private static readonly string[] CsvColumns =
    [
        "subject", "teams", "active", "days_used", "avg_days_per_month", "last_access",
        "total_api_requests", "total_session_seconds", "total_tokens", "total_storage_gb",
    ];

    private readonly string _team = QueryService.Tag();
    private readonly string _hidden = QueryService.Tag();
    private readonly string _hiddenToo = QueryService.Tag();
    private readonly string _toggled = QueryService.Tag();
    private MeteredWorld _world = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _world = await MeteredWorld.StartAsync(Now, new Dictionary<string, string?>
        {
            ["Aggregator:AllowedLateness"] = "35.00:00:00",
            ["Aggregator:DedupeHorizon"] = "36.00:00:00",
        });
        await _world.AssignAsync(
            (_team, "alice", "render", At("2026-10-01T00:00:00Z"), At("2026-11-01T00:00:00Z")),
            (_team, "alice", "ml", At("2026-11-01T00:00:00Z"), null),
            (_team, "carol", "render", At("2026-10-15T00:00:00Z"), null),
            (_team, "dave", "ops", At("2026-10-01T00:00:00Z"), At("2026-10-20T00:00:00Z")),
            (_team, "erin", "ops", At("2026-11-10T00:00:00Z"), null),
            (_team, "gina", "render", At("2026-10-01T00:00:00Z"), null),
            (_team, "gina", "ml", At("2026-10-30T00:00:00Z"), null));
        await _world.IngestAsync(
        [
            Api(_team, "a1", "2026-10-31T23:59:59.999Z", "alice"),
            Api(_team, "a2", "2026-11-01T00:00:00.000Z", "alice"),
            Api(_team, "a2", "2026-11-01T00:00:00.000Z", "alice"), // a duplicate: counted once
            Event(_team, "a3", "2026-10-31T10:00:00Z", "product.session", """{"duration_seconds":30}""", "alice"),
            Event(_team, "a4", "2026-11-01T08:00:00Z", "product.session", """{"duration_seconds":"12.5"}""", "alice"),
            Event(_team, "a5", "2026-10-31T05:00:00Z", "storage.usage", """{"gb":5}""", "alice"),
            Event(_team, "a6", "2026-11-01T05:00:00Z", "storage.usage", """{"gb":7}""", "alice"),
            Event(_team, "a7", "2026-11-01T06:00:00Z", "storage.usage", """{"gb":3}""", "alice"),
            Api(_team, "a8", "2026-11-01T21:17:42.123Z", "alice"),
            Event(_team, "a9", "2026-11-01T21:30:00.456Z", "product.session", null, "alice"), // no value: an access all the same
            Api(_team, "a10", "2026-11-05T10:00:00Z", "alice"), // after the range
            Event(_team, "b1", "2026-10-25T10:00:00.250Z", "flex.tokens", """{"tokens":100,"model":"m"}""", "bob"),
            Api(_team, "f1", "2026-11-01T12:00:00Z", "frank"),
            Api(_team, "g1", "2026-11-01T09:00:00Z", "gina"),
            Api(_team, "n1", "2026-11-01T10:00:00Z", null),
            Api(_hidden, "h1", "2026-11-01T10:00:00Z", "u-1"),
            Api(_hidden, "h2", "2026-11-01T11:00:00Z", "u-2"),
            Api(_hiddenToo, "t1", "2026-11-01T10:00:00Z", "u-1"),
            Api(_toggled, "o1", "2026-11-01T10:00:00Z", "u-1"),
        ]);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _world.DisposeAsync();

    [Test]
    public async Task Get_ActiveSubject_DaysAcrossMidnightTeamsBeforeAndAfterAChangeExactLastAccessAndTotals()
    {
        var alice = Subject(await GetOkAsync(_team), "alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alice.GetProperty("active").GetBoolean(), Is.True);
            Assert.That(Teams(alice), Is.EqualTo(Expected("ml", "render")));
            Assert.That(alice.GetProperty("daysUsed").GetInt32(), Is.EqualTo(2), "2026-10-31 and 2026-11-01, one millisecond apart");
            Assert.That(alice.GetProperty("avgDaysPerMonth").GetDouble(), Is.EqualTo(1.0), "2 days over the 2 months the range touches");
            Assert.That(alice.GetProperty("lastAccess").GetString(), Is.EqualTo("2026-11-01T21:30:00.456Z"),
                "the latest event before to, one without a value included");
            Assert.That(Totals(alice), Is.EqualTo(new Dictionary<string, double>
            {
                ["api_requests"] = 3,
                ["session_seconds"] = 42.5,
                ["storage_gb"] = 7,
            }), "COUNT without the duplicate and the event after the range, SUM, MAX; no tokens");
        }
    }

    [Test]
    public async Task Get_KnownSubjectsWithoutUsageInRange_AreInactive()
    {
        var body = await GetOkAsync(_team);
        var bob = Subject(body, "bob");
        var carol = Subject(body, "carol");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Names(body), Is.EqualTo(Everyone), "not dave (assigned before), erin (after) or the event without a subject");
            Assert.That((bob.GetProperty("active").GetBoolean(), bob.GetProperty("daysUsed").GetInt32(), Totals(bob)),
                Is.EqualTo((false, 0, new Dictionary<string, double>())));
            Assert.That(bob.GetProperty("lastAccess").GetString(), Is.EqualTo("2026-10-25T10:00:00.250Z"), "his last access before to");
            Assert.That(Teams(bob), Is.Empty, "his usage was before the range and he has no assignment");
            Assert.That((carol.GetProperty("active").GetBoolean(), carol.GetProperty("lastAccess").ValueKind, Teams(carol)),
                Is.EqualTo((false, JsonValueKind.Null, Expected("render"))));
        }
    }

    [Test]
    public async Task Get_LaterAssignmentCoversAnOpenEndedOne_OnlyItsTeam()
    {
        var body = await GetOkAsync(_team);

        Assert.That(Teams(Subject(body, "gina")), Is.EqualTo(Expected("ml")));
    }

    [Test]
    public async Task Get_UsageWithoutAssignment_TeamUnassigned()
    {
        var body = await GetOkAsync(_team);

        Assert.That(Teams(Subject(body, "frank")), Is.EqualTo(Expected("unassigned")));
    }

    [Test]
    public async Task Get_RangeAfterTheUsage_EveryoneWithUsageBeforeIsInactiveWithTheirLastAccess()
    {
        var body = await GetOkAsync(_team, ("from", "2026-11-06T00:00:00Z"), ("to", "2026-11-20T00:00:00Z"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Names(body), Is.EqualTo(Expected("alice", "bob", "carol", "erin", "frank", "gina")), "erin's assignment starts in the range");
            Assert.That(Rows(body).Select(r => r.GetProperty("active").GetBoolean()), Has.All.False);
            Assert.That(Subject(body, "alice").GetProperty("lastAccess").GetString(), Is.EqualTo("2026-11-05T10:00:00Z"));
            Assert.That((Subject(body, "erin").GetProperty("lastAccess").ValueKind, Teams(Subject(body, "erin"))),
                Is.EqualTo((JsonValueKind.Null, Expected("ops"))));
        }
    }

    [Test]
    public async Task Get_RangeOfOneDay_AveragesOverTheOneMonthItTouches()
    {
        var alice = Subject(await GetOkAsync(_team, ("from", "2026-11-01T00:00:00Z"), ("to", "2026-11-02T00:00:00Z")), "alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alice.GetProperty("daysUsed").GetInt32(), Is.EqualTo(1));
            Assert.That(alice.GetProperty("avgDaysPerMonth").GetDouble(), Is.EqualTo(1.0));
            Assert.That(Totals(alice)["api_requests"], Is.EqualTo(2));
            Assert.That(Teams(alice), Is.EqualTo(Expected("ml")));
        }
    }

    [TestCase(new[] { "ml" }, new[] { "alice", "gina" })]
    [TestCase(new[] { "render" }, new[] { "alice", "carol" })]
    [TestCase(new[] { "unassigned", "ops" }, new[] { "frank" })]
    [TestCase(new[] { "nobody's team" }, new string[0])]
    public async Task Get_TeamFilter_KeepsSubjectsWithOneOfTheTeams(string[] teams, string[] expected)
    {
        var body = await GetOkAsync(_team, [.. Range(), .. teams.Select(t => ("team", t))]);

        Assert.That(Names(body), Is.EqualTo(expected));
    }

    [TestCase("lastAccess", "desc", new[] { "alice", "frank", "gina", "bob", "carol" })]
    [TestCase("lastAccess", "asc", new[] { "carol", "bob", "gina", "frank", "alice" })]
    [TestCase("daysUsed", "desc", new[] { "alice", "frank", "gina", "bob", "carol" })]
    [TestCase("subject", "desc", new[] { "gina", "frank", "carol", "bob", "alice" })]
    public async Task Get_Sorted_OrdersByTheFieldThenBySubject(string sort, string order, string[] expected)
    {
        var body = await GetOkAsync(_team, [.. Range(), ("sort", sort), ("order", order)]);

        Assert.That(Names(body), Is.EqualTo(expected));
    }

    [Test]
    public async Task Get_PersonalDataOff_EverySubjectIsItsPseudonymStableAndOnlyThat()
    {
        await PutSettingsAsync(_hidden, personalData: false);
        var key = await HashKeyAsync(_hidden);

        var first = await GetTextAsync(_hidden);
        var second = await GetTextAsync(_hidden);
        var csv = await GetTextAsync(_hidden, csv: true);

        using var body = JsonDocument.Parse(first);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.RootElement.GetProperty("personalData").GetBoolean(), Is.False);
            Assert.That(Names(body.RootElement), Is.EquivalentTo(new[] { PersonalData.Hash(key, "u-1"), PersonalData.Hash(key, "u-2") }));
            Assert.That(Names(body.RootElement), Has.All.Match("^hash:[0-9a-f]{32}$"));
            Assert.That(second, Is.EqualTo(first), "the same pseudonyms on every call");
            Assert.That(first, Does.Not.Contain("u-1").And.Not.Contain("u-2"));
            Assert.That(csv, Does.Contain(PersonalData.Hash(key, "u-1")).And.Not.Contain("u-1").And.Not.Contain("u-2"));
        }
    }

    [Test]
    public async Task Get_PersonalDataOffInTwoAccounts_SameSubjectHasAnotherPseudonymInEach()
    {
        await PutSettingsAsync(_hidden, personalData: false);
        await PutSettingsAsync(_hiddenToo, personalData: false);

        var one = Rows(await GetOkAsync(_hidden)).Select(r => r.GetProperty("subject").GetString()).ToList();
        var other = Names(await GetOkAsync(_hiddenToo)).Single();

        Assert.That(one, Has.None.EqualTo(other));
    }

    [Test]
    public async Task Get_PersonalDataOffThenOnAgain_ShowsTheSubjectThenTheSamePseudonymAgain()
    {
        await PutSettingsAsync(_toggled, personalData: false);
        var hidden = Names(await GetOkAsync(_toggled));
        await PutSettingsAsync(_toggled, personalData: true);
        var shown = await GetOkAsync(_toggled);
        await PutSettingsAsync(_toggled, personalData: false);
        var hiddenAgain = Names(await GetOkAsync(_toggled));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((Names(shown), shown.GetProperty("personalData").GetBoolean()), Is.EqualTo((Expected("u-1"), true)));
            Assert.That(hidden, Has.Exactly(1).StartsWith("hash:"));
            Assert.That(hiddenAgain, Is.EqualTo(hidden));
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Get_Csv_ReadsBackToTheRowsOfTheJsonAnswer(bool byAcceptHeader)
    {
        var json = await GetOkAsync(_team);
        using var response = byAcceptHeader
            ? await GetWithAcceptAsync(_team, "text/csv")
            : await _world.Query.GetPathAsync(Path(_team), QueryService.ViewerKey, [.. Range(), ("format", "csv")]);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);

        var fromCsv = new List<string[]>();
        using (var reader = CsvReader.FromText(text))
        {
            while (reader.Read())
            {
                fromCsv.Add([.. CsvColumns.Select(reader.GetString)]);
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
            Assert.That(text, Does.StartWith(string.Join(",", CsvColumns) + "\r\n"));
            Assert.That(fromCsv, Is.EqualTo(Rows(json).Select(AsCsvRow)));
        }
    }

    [TestCase("", "from: required, an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)")]
    [TestCase("from=2026-11-01T00:00:00Z", "to: required, an RFC 3339 timestamp with an offset (e.g. 2026-12-01T00:00:00Z)")]
    [TestCase("from=2026-11-01&to=2026-12-01T00:00:00Z", "from: not an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)")]
    [TestCase("from=2026-11-01T00:00:00&to=2026-12-01T00:00:00Z", "from: not an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)")]
    [TestCase("from=2026-11-01T00:00:00Z&to=tomorrow", "to: not an RFC 3339 timestamp with an offset (e.g. 2026-12-01T00:00:00Z)")]
    [TestCase("from=2026-11-01T00:00:00Z&to=", "to: not an RFC 3339 timestamp with an offset (e.g. 2026-12-01T00:00:00Z)")]
    [TestCase("from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:00Z", "from: must be before to")]
    [TestCase("from=2026-11-01T01:00:00%2B01:00&to=2026-11-01T00:00:00Z", "from: must be before to")]
    [TestCase("from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", "from: must be before to")]
    [TestCase("from=2025-01-01T00:00:00Z&to=2026-02-05T00:00:00.001Z", "to: the range is longer than 400 days; ask for at most 400 days at a time")]
    [TestCase("from=1969-12-31T23:59:59Z&to=1970-01-02T00:00:00Z", "from: must not be before 1970-01-01T00:00:00Z")]
    [TestCase("from=2099-12-31T00:00:00Z&to=2100-01-01T00:00:00.001Z", "to: must not be after 2100-01-01T00:00:00Z")]
    [TestCase("from=2026-11-01T00:00:00Z&from=2026-11-02T00:00:00Z&to=2026-12-01T00:00:00Z", "from: give it at most once")]
    [TestCase("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&format=xlsx", "format: must be json or csv")]
    [TestCase("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&format=", "format: must be json or csv")]
    [TestCase("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&format=CSV", "format: must be json or csv")]
    [TestCase("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&sort=teams", "sort: must be subject, lastAccess or daysUsed")]
    [TestCase("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&order=up", "order: must be asc or desc")]
    [TestCase("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&team=", "team: must not be empty")]
    [TestCase("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&team=a%00b", "team: contains a control character or an unpaired surrogate")]
    [TestCase("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&subject=u-1",
        "subject: unknown parameter; the parameters are from, to, team, format, sort, order")]
    [TestCase("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&fr%0Aom=x",
        "fr?om: unknown parameter; the parameters are from, to, team, format, sort, order")]
    public async Task Get_InvalidParameters_Is400WithTheReason(string query, string reason)
    {
        using var response = await GetRawAsync(Path(_team) + "?" + query);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Is.EqualTo(reason));
    }

    [Test]
    public async Task Get_RangeOfExactly400Days_Is200()
    {
        using var response = await GetRawAsync(Path(_team) + "?from=2025-01-01T00:00:00Z&to=2026-02-05T00:00:00Z");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Get_TeamLongerThan256Characters_Is400()
    {
        using var response = await _world.Query.GetPathAsync(Path(_team), QueryService.ViewerKey, [.. Range(), ("team", new string('t', 257))]);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Is.EqualTo("team: longer than 256 characters"));
    }

    [TestCase("x' OR '1'='1")]
    [TestCase(@"x\' OR 1=1 --")]
    [TestCase("x'; DROP TABLE rollups; --")]
    [TestCase("ünïcødé 名前 😀")]
    [TestCase("%")]
    public async Task Get_AccountOrTeamLikeInjection_AnswersNothingOfOtherAccounts(string text)
    {
        using var byAccount = await _world.Query.GetPathAsync(Path(Uri.EscapeDataString(text)), QueryService.ViewerKey, Range());
        using var byTeam = await _world.Query.GetPathAsync(Path(_team), QueryService.ViewerKey, [.. Range(), ("team", text)]);

        foreach (var response in new[] { byAccount, byTeam })
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            using var document = JsonDocument.Parse(body);
            Assert.That(document.RootElement.GetProperty("subjects").GetArrayLength(), Is.Zero, body);
        }

        Assert.That(Names(await GetOkAsync(_team)), Is.EqualTo(Everyone), "the rollups are still there");
    }

    [Test]
    public async Task Get_RangeWithAnOffset_EchoesTheAccountAndTheRangeInUtc()
    {
        var body = await GetOkAsync(_team, ("from", "2026-10-31T02:00:00+02:00"), ("to", "2026-11-02T00:00:00Z"));

        Assert.That((body.GetProperty("account").GetString(), body.GetProperty("from").GetString(), body.GetProperty("to").GetString(),
                body.GetProperty("personalData").GetBoolean()),
            Is.EqualTo((_team, "2026-10-31T00:00:00Z", "2026-11-02T00:00:00Z", true)));
    }

    [Test]
    public async Task Get_ClickHouseUnreachable_Is503()
    {
        var settings = new Dictionary<string, string>
        {
            ["ClickHouse:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["ClickHouse:MaxRetryAttempts"] = "0",
        };
        await using var unreachable = await QueryService.StartAsync(settings: settings);

        using var response = await unreachable.GetPathAsync(Path("acme"), QueryService.AdminKey, Range());

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.That(Problems.Detail(problem), Does.StartWith("ClickHouse cannot be read"));
    }

    private static string[] AsCsvRow(JsonElement row)
    {
        var totals = Totals(row);
        string Total(string meter) => totals.TryGetValue(meter, out var value) ? value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "";
        return
        [
            row.GetProperty("subject").GetString()!,
            string.Join(";", Teams(row)),
            row.GetProperty("active").GetBoolean() ? "true" : "false",
            row.GetProperty("daysUsed").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            row.GetProperty("avgDaysPerMonth").GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            row.GetProperty("lastAccess").GetString() ?? "",
            Total("api_requests"), Total("session_seconds"), Total("tokens"), Total("storage_gb"),
        ];
    }

    private static DateTimeOffset At(string text) =>
        CloudEventReader.TryParseRfc3339(text, out var time) ? time : throw new ArgumentException(text, nameof(text));

    private static UsageEvent Api(string account, string id, string time, string? subject) =>
        Event(account, id, time, "api.request", """{"method":"GET","route":"/x"}""", subject);

    private static UsageEvent Event(string account, string id, string time, string type, string? data, string? subject) =>
        MeteredWorld.Event(account, id, At(time), type, data, subject);

    private static (string Name, string Value)[] Range() =>
        [("from", From.ToString("O", System.Globalization.CultureInfo.InvariantCulture)), ("to", To.ToString("O", System.Globalization.CultureInfo.InvariantCulture))];

    private static string Path(string account) => $"/v1/accounts/{account}/subjects";

    private static JsonElement.ArrayEnumerator Rows(JsonElement body) => body.GetProperty("subjects").EnumerateArray();

    private static string[] Names(JsonElement body) => [.. Rows(body).Select(r => r.GetProperty("subject").GetString()!)];

    private static JsonElement Subject(JsonElement body, string subject) => Rows(body).Single(r => r.GetProperty("subject").GetString() == subject);

    private static string[] Teams(JsonElement row) => [.. row.GetProperty("teams").EnumerateArray().Select(t => t.GetString()!)];

    private static Dictionary<string, double> Totals(JsonElement row) =>
        row.GetProperty("totals").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());

    private async Task<JsonElement> GetOkAsync(string account, params (string Name, string Value)[] parameters)
    {
        using var document = JsonDocument.Parse(await GetTextAsync(account, parameters: parameters));
        return document.RootElement.Clone();
    }

    private async Task<string> GetTextAsync(string account, bool csv = false, params (string Name, string Value)[] parameters)
    {
        (string, string)[] query = parameters.Length == 0 ? Range() : parameters;
        using var response = await _world.Query.GetPathAsync(Path(account), QueryService.ViewerKey, csv ? [.. query, ("format", "csv")] : query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return text;
    }

    private async Task<HttpResponseMessage> GetRawAsync(string pathAndQuery)
    {
        using var client = _world.Query.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", QueryService.AdminKey);
        return await client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> GetWithAcceptAsync(string account, string accept)
    {
        using var client = _world.Query.CreateClient();
        var query = string.Join("&", Range().Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value)));
        using var request = new HttpRequestMessage(HttpMethod.Get, Path(account) + "?" + query);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", QueryService.ViewerKey);
        request.Headers.Accept.ParseAdd(accept);
        return await client.SendAsync(request);
    }

    private async Task PutSettingsAsync(string account, bool personalData)
    {
        using var response = await _world.Query.PutAsync($"/v1/accounts/{account}/settings", personalData ? """{"personalData":true}""" : """{"personalData":false}""");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private async Task<string> HashKeyAsync(string account) =>
        (await _world.Database.Client.QueryAsync(
            $"SELECT hash_key FROM account_settings FINAL WHERE account = {ClickHouseSql.Literal(account)}", TestJsonContext.Default.JsonElement))
        .Single().GetProperty("hash_key").GetString()!;

    private static string[] Expected(params string[] values) => values;
}
