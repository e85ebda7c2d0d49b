using System.Net;
using System.Text.Json;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// Provisional versus final (DESIGN.md §5.4, API.md): a usage row is final only when every base window in it is final, a
/// monthly report only when every window of the month is; as the clock passes the lateness both turn final, and the
/// values stay what they were, also when a late event arrives (it changes the report's adjustments and checksum).
/// </summary>
[Integration]
public sealed class ReportFinalityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset MonthFinal = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Reports_ClockPassesTheLateness_ProvisionalRowsAndMonthTurnFinal()
    {
        await using var world = await ReportScenario.StartWorldAsync(Now);
        var a = QueryService.Tag();
        await ReportScenario.WriteAsync(world, a, QueryService.Tag());
        await world.IngestAsync(ReportScenario.Measure(a, "recent", "2026-11-19T22:00:00Z", 2, "eu", "u-1"));
        await world.AdvanceClockAsync(Now);

        var usage = await UsageAsync(world, a, final: false);
        var finalUsage = await UsageAsync(world, a, final: true);
        var (status, checksum, rows) = await MonthlyAsync(world, a);
        var (_, checksumAgain, _) = await MonthlyAsync(world, a);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(usage, Is.EqualTo(new[] { ("2026-11-01T00:00:00Z", 16d, "final"), ("2026-11-02T00:00:00Z", 7d, "final"), ("2026-11-19T00:00:00Z", 2d, "provisional") }));
            Assert.That(finalUsage, Is.EqualTo(usage.Take(2)));
            Assert.That(status, Is.EqualTo("provisional"));
            Assert.That(rows, Does.Contain(("m_sum", 22d)));
            Assert.That(checksumAgain, Is.EqualTo(checksum));
        }

        await world.AdvanceClockAsync(MonthFinal);

        var (finalStatus, finalChecksum, finalRows) = await MonthlyAsync(world, a);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await UsageAsync(world, a, final: false), Is.EqualTo(usage.Select(u => (u.Start, u.Value, "final"))));
            Assert.That(await UsageAsync(world, a, final: true), Is.EqualTo(usage.Select(u => (u.Start, u.Value, "final"))));
            Assert.That(finalStatus, Is.EqualTo("final"));
            Assert.That(finalRows, Is.EqualTo(rows));
            Assert.That(finalChecksum, Is.Not.EqualTo(checksum));
        }

        // A late event changes the report (its adjustments), never the final rows.
        await world.IngestAsync(ReportScenario.Measure(a, "late", "2026-11-02T05:10:00Z", 9, "eu", "u-1"));
        var (lateStatus, lateChecksum, lateRows) = await MonthlyAsync(world, a);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await UsageAsync(world, a, final: true), Is.EqualTo(usage.Select(u => (u.Start, u.Value, "final"))));
            Assert.That((lateStatus, lateRows), Is.EqualTo((finalStatus, finalRows)));
            Assert.That(lateChecksum, Is.Not.EqualTo(finalChecksum));
        }
    }

    private static async Task<List<(string Start, double Value, string Status)>> UsageAsync(MeteredWorld world, string account, bool final)
    {
        (string, string)[] parameters = [("account", account), ("from", "2026-11-01T00:00:00Z"), ("to", "2026-11-20T00:00:00Z"), ("windowSize", "DAY")];
        using var response = await world.Query.GetPathAsync("/v1/meters/m_sum/usage", QueryService.ViewerKey,
            final ? [.. parameters, ("status", "final")] : parameters);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        using var body = JsonDocument.Parse(text);
        return [.. body.RootElement.GetProperty("data").EnumerateArray().Select(r => (
            r.GetProperty("windowStart").GetString()!, r.GetProperty("value").GetDouble(), r.GetProperty("status").GetString()!))];
    }

    private static async Task<(string Status, string Checksum, List<(string Meter, double Value)> Rows)> MonthlyAsync(MeteredWorld world, string account)
    {
        using var response = await world.Query.GetPathAsync("/v1/reports/monthly", QueryService.FinanceKey, ("month", "2026-11"), ("account", account));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        using var body = JsonDocument.Parse(text);
        return (body.RootElement.GetProperty("status").GetString()!, body.RootElement.GetProperty("checksum").GetString()!,
            [.. body.RootElement.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("team").GetString() == "unassigned")
                .Select(r => (r.GetProperty("meter").GetString()!, r.GetProperty("value").GetDouble()))]);
    }
}
