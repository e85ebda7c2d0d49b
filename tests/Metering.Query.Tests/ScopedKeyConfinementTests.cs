using System.Net;
using System.Text.Json;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// DESIGN.md §8: an account-scoped key sees only its account. With usage of two accounts written by the real aggregator,
/// what a scoped key asks without naming an account answers its own rows and nothing of the other account's.
/// </summary>
[Integration]
public sealed class ScopedKeyConfinementTests
{
    private static readonly DateTimeOffset Hour = new(2026, 10, 14, 10, 0, 0, TimeSpan.Zero);
    private const string OtherAccount = "other-acct";
    private MeteredWorld _world = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _world = await MeteredWorld.StartAsync(Hour.AddDays(30));
        await _world.IngestAsync(
            MeteredWorld.Event(QueryService.ScopedAccount, "s-1", Hour.AddMinutes(1), "api.request", """{"route":"/a","method":"GET"}""", "u-own"),
            MeteredWorld.Event(QueryService.ScopedAccount, "s-2", Hour.AddMinutes(2), "api.request", """{"route":"/a","method":"GET"}""", "u-own"),
            MeteredWorld.Event(OtherAccount, "o-1", Hour.AddMinutes(3), "api.request", """{"route":"/b","method":"GET"}""", "u-other"),
            MeteredWorld.Event(OtherAccount, "o-2", Hour.AddMinutes(4), "api.request", """{"route":"/b","method":"GET"}""", "u-other"),
            MeteredWorld.Event(OtherAccount, "o-3", Hour.AddMinutes(5), "api.request", """{"route":"/b","method":"GET"}""", "u-other"));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _world.DisposeAsync();

    [TestCase(QueryService.ScopedViewerKey)]
    [TestCase(QueryService.ScopedAdminKey)]
    public async Task Usage_ScopedKeyWithoutAccount_AnswersOnlyItsAccount(string key)
    {
        var rows = await UsageRowsAsync(key, ("groupBy", "account"), ("groupBy", "subject"));

        Assert.That(rows, Is.EqualTo(new[] { (QueryService.ScopedAccount, "u-own", 2d) }));
    }

    [Test]
    public async Task Usage_UnscopedKeyWithoutAccount_AnswersBothAccounts()
    {
        var rows = await UsageRowsAsync(QueryService.ViewerKey, ("groupBy", "account"), ("groupBy", "subject"));

        Assert.That(rows, Is.EquivalentTo(new[] { (QueryService.ScopedAccount, "u-own", 2d), (OtherAccount, "u-other", 3d) }));
    }

    [Test]
    public async Task Usage_ScopedKeyFilteringTheOtherAccountsSubject_AnswersNothingOfIt()
    {
        var rows = await UsageRowsAsync(QueryService.ScopedViewerKey, ("subject", "u-other"), ("groupBy", "subject"));

        Assert.That(rows.Where(r => r.Value > 0), Is.Empty);
    }

    private async Task<List<(string Account, string Subject, double Value)>> UsageRowsAsync(string key, params (string Name, string Value)[] parameters)
    {
        (string, string)[] range = [("from", "2026-10-14T00:00:00Z"), ("to", "2026-10-15T00:00:00Z")];
        using var response = await _world.Query.GetPathAsync("/v1/meters/api_requests/usage", key, [.. range, .. parameters]);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        using var body = JsonDocument.Parse(text);
        return [.. body.RootElement.GetProperty("data").EnumerateArray().Select(r => (
            r.TryGetProperty("groupBy", out var g) && g.ValueKind == JsonValueKind.Object && g.TryGetProperty("account", out var a) ? a.GetString()! : "",
            r.TryGetProperty("subject", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "",
            r.GetProperty("value").GetDouble()))];
    }
}
