using System.Globalization;
using Metering.ClickHouse;
using Metering.Events;
using Metering.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Metering.Aggregator.Tests;

/// <summary>The aggregator in process, against the real broker and ClickHouse server.</summary>
[Integration]
public sealed class AggregatorPipelineTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Hour = new DateTimeOffset(TimeProvider.System.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero).AddHours(-6);

    [Test]
    public async Task Run_EventsAcrossPartitions_RollupsHoldExactSumsPerAccountAndHour()
    {
        await using var harness = await AggregatorHarness.CreateAsync();
        var events = TokenEvents("run", 2_000).ToList();
        await harness.ProduceAsync(events);

        var app = await harness.StartAggregatorAsync();
        await using (app)
        {
            await harness.WaitCaughtUpAsync(events.Count, CatchUp);
            await app.StopAsync();
        }

        var sums = await harness.SumsAsync("tokens", "concat(account, '@', toString(window_start))", "sum(value_sum)");
        Assert.That(sums, Is.EquivalentTo(ExpectedSums(events)));
        Assert.That(await harness.ScalarAsync("SELECT count() AS value FROM usage_events FINAL"), Is.EqualTo((ulong)events.Count));
    }

    [Test]
    public async Task Restart_AfterStop_ResumesWithoutLossOrDoubleCounting()
    {
        await using var harness = await AggregatorHarness.CreateAsync();
        var first = TokenEvents("a", 600).ToList();
        var second = TokenEvents("b", 600).ToList();

        await harness.ProduceAsync(first);
        await using (var app = await harness.StartAggregatorAsync())
        {
            await harness.WaitCaughtUpAsync(first.Count, CatchUp);
            await app.StopAsync();
        }

        await harness.ProduceAsync(second);
        await using (var app = await harness.StartAggregatorAsync())
        {
            await harness.WaitCaughtUpAsync(first.Count + second.Count, CatchUp);
            await app.StopAsync();
        }

        var sums = await harness.SumsAsync("tokens", "concat(account, '@', toString(window_start))", "sum(value_sum)");
        Assert.That(sums, Is.EquivalentTo(ExpectedSums([.. first, .. second])));
    }

    [Test]
    public async Task Restart_WithProgressLost_ReplaysEveryRecordToTheSameRows()
    {
        await using var harness = await AggregatorHarness.CreateAsync();
        var events = TokenEvents("replay", 800).ToList();
        await harness.ProduceAsync(events);
        await using (var app = await harness.StartAggregatorAsync())
        {
            await harness.WaitCaughtUpAsync(events.Count, CatchUp);
            await app.StopAsync();
        }

        // As if the aggregator died after writing rows but before their progress row.
        await harness.ClickHouse.ExecuteAsync("TRUNCATE TABLE progress");
        await using (var app = await harness.StartAggregatorAsync())
        {
            await harness.WaitCaughtUpAsync(events.Count, CatchUp);
            await app.StopAsync();
        }

        var sums = await harness.SumsAsync("tokens", "concat(account, '@', toString(window_start))", "sum(value_sum)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sums, Is.EquivalentTo(ExpectedSums(events)));
            Assert.That(await harness.ScalarAsync("SELECT count() AS value FROM usage_events FINAL"), Is.EqualTo((ulong)events.Count));
        }
    }

    [Test]
    public async Task Run_UndecodableRecord_GoesToDeadLettersAndLaterRecordsCount()
    {
        await using var harness = await AggregatorHarness.CreateAsync();
        await harness.ProduceRawAsync("acme", AggregatorHarness.Utf8("{not json"));
        var events = TokenEvents("after", 10, accounts: 1).ToList();
        await harness.ProduceAsync(events);

        await using (var app = await harness.StartAggregatorAsync())
        {
            await harness.WaitCaughtUpAsync(events.Count + 1, CatchUp);
            await app.StopAsync();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await harness.ScalarAsync("SELECT count() AS value FROM dead_letters FINAL WHERE key = 'acme'"), Is.EqualTo(1UL));
            Assert.That(await harness.ScalarAsync("SELECT count() AS value FROM usage_events FINAL"), Is.EqualTo((ulong)events.Count));
            var sums = await harness.SumsAsync("tokens", "account", "sum(value_sum)");
            Assert.That(sums.Values.Sum(), Is.EqualTo(events.Sum(TokensOf)));
        }
    }

    [Test]
    public async Task Start_ProgressBeyondEndOfLog_StopsWithAnExplanation()
    {
        await using var harness = await AggregatorHarness.CreateAsync();
        // Progress recorded for offsets this (new) topic does not have: it was recreated.
        await harness.ClickHouse.ExecuteAsync(
            $"INSERT INTO progress VALUES ({ClickHouseSql.Literal(harness.Topic.Name)}, 0, 100, 0, 100, now())");

        var app = await harness.StartAggregatorAsync();
        await using (app)
        {
            var workers = app.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
            var failure = await Eventually.WaitAsync(
                () => Task.FromResult(workers.Select(w => w.ExecuteTask?.Exception).FirstOrDefault(e => e is not null)),
                e => e is not null,
                CatchUp,
                "the aggregator to stop on a log that ends before its progress");
            Assert.That(failure!.Flatten().InnerExceptions.Select(e => e.Message),
                Has.Some.Contains("was recreated or truncated").And.Some.Contains("ends at offset 0"));
        }
    }

    /// <summary><paramref name="count"/> token events over 3 hours and several accounts, in shuffled time order.</summary>
    private static IEnumerable<UsageEvent> TokenEvents(string tag, int count, int accounts = 7)
    {
        var random = new Random(count);
        for (var i = 0; i < count; i++)
        {
            var time = Hour.AddSeconds(random.Next(0, 3 * 3600)).AddMilliseconds(random.Next(0, 1000));
            var tokens = random.Next(1, 5000) / 4.0;
            yield return AggregatorHarness.Event($"{tag}-acct-{i % accounts}", $"{tag}-{i}", time,
                data: $$"""{"tokens":{{tokens.ToString(CultureInfo.InvariantCulture)}},"model":"m{{i % 3}}"}""");
        }
    }

    private static double TokensOf(UsageEvent e) =>
        double.Parse(e.Data!.Split(':')[1].Split(',')[0], CultureInfo.InvariantCulture);

    private static Dictionary<string, double> ExpectedSums(IEnumerable<UsageEvent> events) =>
        events.GroupBy(e => $"{e.Account}@{new DateTimeOffset(e.Time.Year, e.Time.Month, e.Time.Day, e.Time.Hour, 0, 0, TimeSpan.Zero):yyyy-MM-dd HH:mm:ss}")
            .ToDictionary(g => g.Key, g => g.Sum(TokensOf));
}
