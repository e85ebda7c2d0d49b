using System.Net;
using System.Text.Json;
using Metering.ClickHouse;
using Metering.Query.Accounts;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// Usage grouped or filtered by subject shows an account's subjects as their pseudonyms once its personal-data setting is
/// off, the same pseudonyms as the subject report, from the rollups and from the raw events alike.
/// </summary>
[Integration]
public sealed class UsagePersonalDataTests
{
    private static readonly string Hidden = QueryService.Tag();
    private static readonly string Shown = QueryService.Tag();
    private MeteredWorld _world = null!;
    private string _pseudonym = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _world = await ReportScenario.StartWorldAsync(ReportScenario.Now);
        await ReportScenario.WriteAsync(_world, Hidden, Shown);
        using var put = await _world.Query.PutAsync($"/v1/accounts/{Hidden}/settings", """{"personalData":false}""");
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        var key = await _world.Database.Client.QueryScalarAsync(
            $"SELECT hash_key FROM account_settings FINAL WHERE account = {ClickHouseSql.Literal(Hidden)}", TestJsonContext.Default.JsonElement);
        _pseudonym = PersonalData.Hash(key.GetString()!, "u-1");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _world.DisposeAsync();

    [TestCase("HOUR")]
    [TestCase("MINUTE")]
    public async Task Get_GroupBySubject_ShowsPseudonymsOfTheHiddenAccountOnly(string windowSize)
    {
        var subjects = await SubjectsAsync(("account", Hidden), ("account", Shown), ("windowSize", windowSize));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(subjects, Does.Contain(_pseudonym).And.Contain("u-9"));
            Assert.That(subjects, Has.None.EqualTo("u-1").And.None.EqualTo("u-2"));
            Assert.That(subjects.Where(s => s != "u-9"), Has.All.Match("^hash:[0-9a-f]{32}$"));
        }
    }

    [Test]
    public async Task Get_SubjectReportAndUsage_ShowTheSamePseudonym()
    {
        using var response = await _world.Query.GetPathAsync($"/v1/accounts/{Hidden}/subjects", QueryService.AdminKey,
            ("from", "2026-11-01T00:00:00Z"), ("to", "2026-11-03T00:00:00Z"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        using var body = JsonDocument.Parse(text);

        Assert.That(body.RootElement.GetProperty("subjects").EnumerateArray().Select(s => s.GetProperty("subject").GetString()), Does.Contain(_pseudonym));
    }

    [TestCase("HOUR")]
    [TestCase("MINUTE")]
    public async Task Get_FilterBySubject_MatchesThePseudonymNotTheHiddenName(string windowSize)
    {
        var byPseudonym = await SubjectsAsync(("account", Hidden), ("subject", _pseudonym), ("windowSize", windowSize));
        var byName = await SubjectsAsync(("account", Hidden), ("subject", "u-1"), ("windowSize", windowSize));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(byPseudonym.Distinct(), Is.EqualTo(new[] { _pseudonym }));
            Assert.That(byName, Is.Empty);
        }
    }

    private async Task<List<string>> SubjectsAsync(params (string Name, string Value)[] parameters)
    {
        using var response = await _world.Query.GetPathAsync("/v1/meters/m_count/usage", QueryService.ViewerKey,
            [.. parameters, ("groupBy", "subject"), ("from", "2026-11-01T00:00:00Z"), ("to", "2026-11-03T00:00:00Z")]);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        using var body = JsonDocument.Parse(text);
        return [.. body.RootElement.GetProperty("data").EnumerateArray()
            .Where(r => r.GetProperty("value").GetDouble() > 0).Select(r => r.GetProperty("subject").GetString()!)];
    }
}
