using System.Globalization;
using Metering.Events;
using Metering.Testing;

namespace Metering.Aggregator.Tests;

/// <summary>DESIGN.md §5 through the aggregator in process, against the real broker and ClickHouse server.</summary>
[Integration]
public sealed class AggregatorSemanticsTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);
    private static readonly DateTimeOffset Hour = new DateTimeOffset(TimeProvider.System.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero).AddHours(-6);

    [Test]
    public async Task Run_TenPercentDuplicatesAndShuffledOrder_TotalsAreExact()
    {
        await using var harness = await AggregatorHarness.CreateAsync();
        var events = TokenEvents("dup", 3_000).ToList();
        var random = new Random(7);
        var duplicates = events.Where((_, i) => i % 10 == 0).ToList();
        var sent = events.Concat(duplicates).OrderBy(_ => random.Next()).ToList();
        await harness.ProduceAsync(sent);

        await using (var app = await harness.StartAggregatorAsync())
        {
            await harness.WaitCaughtUpAsync(sent.Count, CatchUp);
            await app.StopAsync();
        }

        var sums = await harness.SumsAsync("tokens", "concat(account, '@', toString(window_start))", "sum(value_sum)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sums, Is.EquivalentTo(ExpectedSums(events)));
            Assert.That(await harness.ScalarAsync("SELECT sum(event_count) AS value FROM rollups FINAL WHERE meter = 'tokens'"), Is.EqualTo((ulong)events.Count));
            Assert.That(await harness.ScalarAsync("SELECT count() AS value FROM usage_events FINAL WHERE duplicate = 1"), Is.EqualTo((ulong)duplicates.Count));
        }
    }

    [Test]
    public async Task Run_WatermarkPassesLateness_WindowTurnsFinalAndALateEventBecomesAnAdjustment()
    {
        await using var harness = await AggregatorHarness.CreateAsync();
        var start = Hour.AddHours(1);
        await harness.ProduceAsync([
            AggregatorHarness.Event("acme", "on-time", start.AddSeconds(10), data: """{"tokens":5,"model":"m"}"""),
            AggregatorHarness.Event("acme", "later", start.AddMinutes(3), data: """{"tokens":1,"model":"m"}"""),
            AggregatorHarness.Event("acme", "late", start.AddSeconds(20), data: """{"tokens":7,"model":"m"}"""),
        ]);

        await using (var app = await harness.StartAggregatorAsync(new Dictionary<string, string?>
        {
            ["Aggregator:WindowSize"] = "00:01:00",
            ["Aggregator:AllowedLateness"] = "00:01:00",
        }))
        {
            await harness.WaitCaughtUpAsync(3, CatchUp);
            await app.StopAsync();
        }

        var window = $"meter = 'tokens' AND window_start = {Metering.ClickHouse.ClickHouseSql.Literal(start)}";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await harness.ScalarAsync($"SELECT toUInt64(sum(value_sum)) AS value FROM rollups FINAL WHERE {window}"), Is.EqualTo(5UL));
            Assert.That(await harness.ScalarAsync($"SELECT count() AS value FROM rollups FINAL WHERE {window} AND finalized_at > toDateTime(0)"), Is.EqualTo(1UL));
            Assert.That(await harness.ScalarAsync($"SELECT toUInt64(sum(value)) AS value FROM adjustments FINAL WHERE {window} AND id = 'late'"), Is.EqualTo(7UL));
            Assert.That(await harness.ScalarAsync("SELECT count() AS value FROM adjustments FINAL"), Is.EqualTo(1UL));
        }
    }

    [Test]
    public async Task Run_TeamChangesAtAnInstant_EachEventKeepsTheTeamOfItsEventTime()
    {
        await using var harness = await AggregatorHarness.CreateAsync();
        var change = Hour.AddMinutes(30);
        await harness.AssignAsync(("acme", "u-1", "render", Hour.AddDays(-1), change), ("acme", "u-1", "search", change, null));
        await harness.ProduceAsync([
            AggregatorHarness.Event("acme", "before", change.AddMilliseconds(-1), data: """{"tokens":1,"model":"m"}"""),
            AggregatorHarness.Event("acme", "at", change, data: """{"tokens":2,"model":"m"}"""),
            AggregatorHarness.Event("acme", "after", change.AddHours(2), data: """{"tokens":4,"model":"m"}"""),
            AggregatorHarness.Event("acme", "stranger", change, data: """{"tokens":8,"model":"m"}""", subject: "u-2"),
            AggregatorHarness.Event("acme", "nobody", change, data: """{"tokens":16,"model":"m"}""", subject: null),
        ]);

        await using (var app = await harness.StartAggregatorAsync())
        {
            await harness.WaitCaughtUpAsync(5, CatchUp);
            await app.StopAsync();
        }

        var byTeam = await harness.SumsAsync("tokens", "team", "sum(value_sum)");
        Assert.That(byTeam, Is.EquivalentTo(new Dictionary<string, double> { ["render"] = 1, ["search"] = 6, ["unassigned"] = 24 }));
    }

    [Test]
    public async Task Run_ClickHouseStoppedAndRestartedMidStream_NothingIsLostOrCountedTwice()
    {
        await using var server = await ClickHouseServer.StartPrivateAsync();
        await using var harness = await AggregatorHarness.CreateAsync(server);
        var first = TokenEvents("before-outage", 1_000).ToList();
        var second = TokenEvents("during-outage", 1_000).ToList();
        using var metrics = new MetricRecorder("Metering.Aggregator");
        await harness.ProduceAsync(first);

        await using (var app = await harness.StartAggregatorAsync())
        {
            await harness.WaitCaughtUpAsync(first.Count, CatchUp);
            await server.StopAsync();
            await harness.ProduceAsync(second);
            await Eventually.WaitAsync(() => Task.FromResult(metrics.Total("metering.aggregator.sink.errors")), errors => errors >= 2, CatchUp,
                "the aggregator to meet the outage and retry");
            await server.RestartAsync();
            await harness.WaitCaughtUpAsync(first.Count + second.Count, CatchUp);
            await app.StopAsync();
        }

        var sums = await harness.SumsAsync("tokens", "concat(account, '@', toString(window_start))", "sum(value_sum)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sums, Is.EquivalentTo(ExpectedSums([.. first, .. second])));
            Assert.That(await harness.ScalarAsync("SELECT sum(failed_attempts) AS value FROM sink_errors"), Is.GreaterThanOrEqualTo(2UL),
                "the outage is recorded once ClickHouse is back");
        }
    }

    [Test]
    public async Task Run_SecondInstanceJoinsAndFirstLeaves_PartitionsMoveWithoutLossOrDoubleCounting()
    {
        await using var harness = await AggregatorHarness.CreateAsync();
        var batches = Enumerable.Range(0, 3).Select(b => TokenEvents($"rebalance-{b}", 800).ToList()).ToList();

        await harness.ProduceAsync(batches[0]);
        var firstApp = await harness.StartAggregatorAsync();
        await harness.WaitCaughtUpAsync(batches[0].Count, CatchUp);
        await using (var secondApp = await harness.StartAggregatorAsync())
        {
            await harness.ProduceAsync(batches[1]);
            await harness.WaitCaughtUpAsync(batches[0].Count + batches[1].Count, CatchUp);
            await firstApp.StopAsync();
            await firstApp.DisposeAsync();
            await harness.ProduceAsync(batches[2]);
            await harness.WaitCaughtUpAsync(batches.Sum(b => b.Count), CatchUp);
            await secondApp.StopAsync();
        }

        var sums = await harness.SumsAsync("tokens", "concat(account, '@', toString(window_start))", "sum(value_sum)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sums, Is.EquivalentTo(ExpectedSums(batches.SelectMany(b => b))));
            Assert.That(await harness.ScalarAsync("SELECT sum(event_count) AS value FROM rollups FINAL WHERE meter = 'tokens'"),
                Is.EqualTo((ulong)batches.Sum(b => b.Count)));
        }
    }

    /// <summary><paramref name="count"/> token events with whole-number values over 3 hours and 7 accounts.</summary>
    private static IEnumerable<UsageEvent> TokenEvents(string tag, int count)
    {
        var random = new Random(tag.Length * 7919 + count);
        for (var i = 0; i < count; i++)
        {
            var time = Hour.AddSeconds(random.Next(0, 3 * 3600)).AddMilliseconds(random.Next(0, 1000));
            yield return AggregatorHarness.Event($"acct-{i % 7}", $"{tag}-{i}", time,
                data: $$"""{"tokens":{{random.Next(1, 5000).ToString(CultureInfo.InvariantCulture)}},"model":"m{{i % 3}}"}""");
        }
    }

    private static double TokensOf(UsageEvent e) =>
        double.Parse(e.Data!.Split(':')[1].Split(',')[0], CultureInfo.InvariantCulture);

    private static Dictionary<string, double> ExpectedSums(IEnumerable<UsageEvent> events) =>
        events.GroupBy(e => $"{e.Account}@{new DateTimeOffset(e.Time.Year, e.Time.Month, e.Time.Day, e.Time.Hour, 0, 0, TimeSpan.Zero):yyyy-MM-dd HH:mm:ss}")
            .ToDictionary(g => g.Key, g => g.Sum(TokensOf));
}
