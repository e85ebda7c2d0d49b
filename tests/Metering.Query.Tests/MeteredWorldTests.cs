using System.Net;
using System.Text.Json;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>The fixture the report tests stand on: what the real aggregator wrote is what the query service reads.</summary>
[Integration]
public sealed class MeteredWorldTests
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 14, 10, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Usage_AggregatedEvents_ProvisionalThenFinalOnceTheClockPassesTheLateness()
    {
        await using var world = await MeteredWorld.StartAsync(Hour.AddHours(2));
        var account = QueryService.Tag();
        await world.IngestAsync(
            MeteredWorld.Event(account, "a", Hour.AddMinutes(1), "flex.tokens", """{"tokens":5,"model":"m"}"""),
            MeteredWorld.Event(account, "a", Hour.AddMinutes(1), "flex.tokens", """{"tokens":5,"model":"m"}"""),
            MeteredWorld.Event(account, "b", Hour.AddMinutes(2), "flex.tokens", """{"tokens":7,"model":"m"}"""));

        var provisional = await UsageAsync(world, account);
        await world.AdvanceClockAsync(Hour.AddDays(3));
        var final = await UsageAsync(world, account);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(provisional, Is.EqualTo((12d, "provisional")));
            Assert.That(final, Is.EqualTo((12d, "final")));
        }
    }

    private static async Task<(double Value, string Status)> UsageAsync(MeteredWorld world, string account)
    {
        using var response = await world.Query.GetPathAsync("/v1/meters/tokens/usage", QueryService.FinanceKey,
            ("account", account), ("from", Hour.ToString("O")), ("to", Hour.AddHours(1).ToString("O")));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        using var body = JsonDocument.Parse(text);
        var row = body.RootElement.GetProperty("data").EnumerateArray().Single();
        return (row.GetProperty("value").GetDouble(), row.GetProperty("status").GetString()!);
    }
}
